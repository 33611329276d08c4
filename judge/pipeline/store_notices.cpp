#include "judge/pipeline/store_notices.hpp"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace pj::judge {
namespace {

constexpr char kLostLine[] = "*";

}  // namespace

void StoreNoticeWriter::tell(const std::set<std::string>& ids, bool others) {
  if (!fd_) {
    // ENXIO: no reader now; whoever opens it later reads the database first.
    int fd = open(fifo_.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return;
    fd_.reset(fd);
  }
  // Each write at most PIPE_BUF bytes, so that it is whole or not at all;
  // after one fails, the rest is lost too.
  std::string lines = lost_ || others ? std::string(kLostLine) + "\n" : "";
  bool told = true;
  for (const auto& id : ids) {
    if (lines.size() + id.size() + 1 > PIPE_BUF) {
      told = told && write_all(lines);
      lines.clear();
    }
    lines += id + "\n";
  }
  if (told && write_all(lines)) lost_ = false;
}

bool StoreNoticeWriter::write_all(const std::string& lines) {
  if (lines.empty()) return true;
  if (write(fd_.get(), lines.data(), lines.size()) == static_cast<ssize_t>(lines.size()))
    return true;
  // EAGAIN: the pipe is full, the reader has notices to read; it hears of
  // the loss next time. EPIPE: it is gone; the next reader opens anew.
  if (errno == EPIPE) fd_.reset();
  lost_ = true;
  return false;
}

StoreNoticeReader::StoreNoticeReader(const std::filesystem::path& fifo) {
  if (mkfifo(fifo.c_str(), 0600) < 0 && errno != EEXIST)
    throw std::system_error(errno, std::generic_category(), "mkfifo " + fifo.string());
  read_.reset(open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!read_) throw std::system_error(errno, std::generic_category(), "open " + fifo.string());
  hold_.reset(open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
  if (!hold_) throw std::system_error(errno, std::generic_category(), "open " + fifo.string());
}

bool StoreNoticeReader::take(std::set<std::string>& ids, bool& lost) {
  bool told = false;
  char buf[4096];
  for (ssize_t got; (got = read(read_.get(), buf, sizeof buf)) > 0;) {
    told = true;
    partial_.append(buf, static_cast<std::size_t>(got));
  }
  std::size_t start = 0;
  for (std::size_t end; (end = partial_.find('\n', start)) != std::string::npos; start = end + 1) {
    std::string line = partial_.substr(start, end - start);
    if (line == kLostLine)
      lost = true;
    else if (!line.empty())
      ids.insert(std::move(line));
  }
  partial_.erase(0, start);
  return told;
}

}  // namespace pj::judge
