#include "sandbox/pipes.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

namespace pj::sandbox {
namespace {

constexpr std::size_t kChunk = 64 << 10;

void set_nonblocking(int fd) {
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

}  // namespace

Pipe make_pipe() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

InputPump::InputPump(const Input& in, UniqueFd pipe_write_end) : pipe_(std::move(pipe_write_end)) {
  if (in.kind == Input::Kind::File) {
    file_.reset(open(in.value.c_str(), O_RDONLY | O_CLOEXEC));
    if (!file_) throw std::system_error(errno, std::generic_category(), "cannot open " + in.value);
  } else if (in.kind == Input::Kind::Data) {
    data_ = &in.value;
  } else {
    pipe_.reset();  // no input: immediate EOF
  }
  if (pipe_) set_nonblocking(pipe_.get());
}

void InputPump::pump() {
  while (pipe_) {
    ssize_t n;
    if (file_) {
      n = splice(file_.get(), nullptr, pipe_.get(), nullptr, kChunk, SPLICE_F_NONBLOCK);
      if (n < 0 && errno == EINVAL) n = copy_through_buffer();  // a file splice cannot read
    } else {
      std::size_t left = data_->size() - offset_;
      n = left == 0 ? 0 : write(pipe_.get(), data_->data() + offset_, std::min(left, kChunk));
      if (n > 0) offset_ += n;
    }
    if (n == 0) return pipe_.reset();
    if (n < 0) {
      if (errno == EAGAIN) return;
      if (errno == EINTR) continue;
      return pipe_.reset();  // EPIPE: the program closed its stdin
    }
  }
}

ssize_t InputPump::copy_through_buffer() {
  char buf[kChunk];
  ssize_t n = pread(file_.get(), buf, sizeof buf, offset_);
  if (n <= 0) return n;
  ssize_t w = write(pipe_.get(), buf, n);
  if (w > 0) offset_ += w;
  return w;
}

OutputPump::OutputPump(const Output& out, UniqueFd pipe_read_end, std::string* keep)
    : pipe_(std::move(pipe_read_end)), keep_(keep), keep_limit_(out.keep_bytes) {
  if (out.kind == Output::Kind::File) {
    file_.reset(open(out.path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
    if (!file_)
      throw std::system_error(errno, std::generic_category(), "cannot create " + out.path);
    struct stat st {};
    if (fstat(file_.get(), &st) == 0 && S_ISREG(st.st_mode))
      before_ = static_cast<std::uint64_t>(st.st_size);
  }
  if (out.kind != Output::Kind::Capture) keep_ = nullptr;
  if (pipe_) set_nonblocking(pipe_.get());
}

std::uint64_t OutputPump::drain(std::uint64_t budget) {
  std::uint64_t total = 0;
  while (pipe_ && budget > 0) {
    std::size_t want = std::min<std::uint64_t>(kChunk, budget);
    ssize_t n = file_ ? splice(pipe_.get(), nullptr, file_.get(), nullptr, want, SPLICE_F_NONBLOCK)
                      : read_to_memory(want);
    if (n == 0) {
      pipe_.reset();
    } else if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN) pipe_.reset();
      break;
    } else {
      total += n;
      budget -= n;
      if (file_) written_ += n;
    }
  }
  return total;
}

OutputPump::~OutputPump() {
  if (file_ && before_ > written_) [[maybe_unused]]
    int r = ftruncate(file_.get(), static_cast<off_t>(written_));
}

void OutputPump::finish() {
  if (!file_ || before_ <= written_) return;
  if (ftruncate(file_.get(), static_cast<off_t>(written_)) != 0)
    throw std::system_error(errno, std::generic_category(), "cannot cut the output file");
  before_ = written_;
}

ssize_t OutputPump::read_to_memory(std::size_t want) {
  char buf[kChunk];
  ssize_t n = read(pipe_.get(), buf, want);
  if (n > 0 && keep_ && keep_->size() < keep_limit_)
    keep_->append(buf, std::min<std::size_t>(n, keep_limit_ - keep_->size()));
  return n;
}

}  // namespace pj::sandbox
