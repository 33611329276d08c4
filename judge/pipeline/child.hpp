// Trusted helper processes (collector, judging worker) started and watched
// with Boost.Process, or forked (submit's judging child). The sandbox,
// which runs untrusted code, does not use this: it needs clone flags no
// process library exposes.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pj::judge {

class ChildProcess {
 public:
  enum class Stdout { Inherit, Null, Pipe };

  // Starts this very program (/proc/self/exe) with `args`. The child gets
  // SIGTERM if we die (PR_SET_PDEATHSIG). `pipe_stdin`: its stdin is a pipe
  // from us (write_line), else /dev/null. Throws std::runtime_error.
  static ChildProcess spawn_self(const std::vector<std::string>& args, Stdout out,
                                 bool pipe_stdin = false);
  // Forks a child that runs `body` and exit()s with what it returns (1 if
  // it throws): this program as it is, without loading it again (an exec
  // costs this binary 5-10 ms before main). Signal dispositions are reset,
  // SIGTERM if we die; stdout Inherit or Null. The caller's other threads
  // must be idle: only the calling thread lives on in the child, and the
  // objects of the caller's stack are never destroyed there.
  static ChildProcess fork_call(const std::function<int()>& body, Stdout out);

  ChildProcess(ChildProcess&&) noexcept;
  ChildProcess& operator=(ChildProcess&&) noexcept;
  // Kills (SIGKILL) and reaps a child still running.
  ~ChildProcess();

  pid_t pid() const;
  // Reaps it if it has exited.
  bool running();
  // Waits up to `seconds` for it to exit (woken by the exit itself, not a
  // poll); true once it has exited, reaped.
  bool exited_within(double seconds);
  void wait();
  // Sends `sig`; waits up to `seconds` for it to exit, then SIGKILLs it.
  void stop(int sig, double seconds);
  // With Stdout::Pipe: the next line it prints; nullopt at end of output.
  std::optional<std::string> read_line();
  // With Stdout::Pipe: waits up to `seconds` for a line to read (or the end
  // of its output); true if read_line will not block.
  bool line_within(double seconds);
  // With pipe_stdin: sends one line (false if it can no longer be sent), or
  // ends its input.
  bool write_line(const std::string& line);
  void close_stdin();

  // After it has exited: how, as raw wait status and in words
  // ("exited with status 3", "killed by SIGSEGV").
  int wait_status() const;
  bool succeeded() const;
  std::string describe_exit() const;

 private:
  struct Impl;
  explicit ChildProcess(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pj::judge
