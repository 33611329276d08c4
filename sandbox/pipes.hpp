// The three pipes of a run, driven from the judge's side without blocking.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "sandbox/fd.hpp"
#include "sandbox/sandbox.hpp"

namespace pj::sandbox {

struct Pipe {
  UniqueFd read, write;
};
Pipe make_pipe();  // O_CLOEXEC; throws std::system_error

// Feeds stdin from a file (zero-copy with splice) or from memory.
class InputPump {
 public:
  InputPump(const Input& in, UniqueFd pipe_write_end);
  int fd() const { return pipe_.get(); }  // -1 once done
  // Moves as much as the pipe takes; closes it at the end or on EPIPE.
  void pump();
  void close() { pipe_.reset(); }

 private:
  ssize_t copy_through_buffer();
  UniqueFd pipe_, file_;
  const std::string* data_ = nullptr;
  off_t offset_ = 0;
};

// Drains one output pipe into a file, memory (up to keep_bytes), or nowhere.
class OutputPump {
 public:
  OutputPump(const Output& out, UniqueFd pipe_read_end, std::string* keep);
  int fd() const { return pipe_.get(); }  // -1 after EOF
  // Reads what is there, at most `budget` bytes; returns the bytes read.
  std::uint64_t drain(std::uint64_t budget);
  void close() { pipe_.reset(); }
  // After the run: a file is cut to what this run wrote. It is written over
  // in place, not truncated when opened: truncating a file to nothing makes
  // ext4 write it out when it is closed (auto_da_alloc), milliseconds per
  // run, and a new file each time costs an inode. Throws std::system_error.
  void finish();
  ~OutputPump();  // finish(), errors aside (a run that threw)
  OutputPump(const OutputPump&) = delete;
  OutputPump& operator=(const OutputPump&) = delete;

 private:
  ssize_t read_to_memory(std::size_t want);
  UniqueFd pipe_, file_;
  std::string* keep_;
  std::uint64_t keep_limit_;
  std::uint64_t written_ = 0;  // to the file
  std::uint64_t before_ = 0;   // the file's size when opened (regular files)
};

}  // namespace pj::sandbox
