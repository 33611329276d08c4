#include "judge/pipeline/store_watch.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <utility>
#include <vector>

#include "judge/pipeline/durable.hpp"
#include "judge/pipeline/outbox.hpp"
#include "judge/pipeline/store_notices.hpp"

namespace pj::judge {
namespace {

std::system_error os_error(const std::string& what) {
  return std::system_error(errno, std::generic_category(), what);
}

}  // namespace

StoreWatch::StoreWatch(const std::filesystem::path& outbox_dir) {
  std::error_code ec;
  std::filesystem::create_directories(outbox_dir, ec);
  inotify_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotify_ < 0) throw os_error("inotify_init1");
  // Removed: stored. Moved away: rejected (it will never be stored).
  if (inotify_add_watch(inotify_, outbox_dir.c_str(), IN_DELETE | IN_MOVED_FROM) < 0) {
    auto e = os_error("cannot watch " + outbox_dir.string());
    close(inotify_);
    throw e;
  }
}

StoreWatch::StoreWatch(const Notices& notices)
    : notices_(std::make_unique<StoreNoticeReader>(notices.fifo)) {}

StoreWatch::~StoreWatch() {
  if (inotify_ >= 0) close(inotify_);
}

void StoreWatch::wait(std::initializer_list<pid_t> pids, const std::atomic<bool>& stop,
                      std::chrono::milliseconds timeout) {
  std::vector<pollfd> fds = {{notices_ ? notices_->fd() : inotify_, POLLIN, 0}};
  for (pid_t pid : pids) {
    if (pid <= 0) continue;
    int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));  // close-on-exec always
    if (fd >= 0) fds.push_back({fd, POLLIN, 0});
    // ESRCH: gone already (reaped, or about to be): the caller sees it.
    if (fd < 0 && errno == ESRCH) timeout = std::chrono::milliseconds(0);
  }
  sigset_t stops, old;
  sigemptyset(&stops);
  sigaddset(&stops, SIGINT);
  sigaddset(&stops, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stops, &old);
  const auto until = std::chrono::steady_clock::now() + timeout;
  for (bool stored = false; !stored && !stop;) {
    auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() < 0) left = {};
    timespec ts{static_cast<time_t>(left.count() / 1000000000),
                static_cast<long>(left.count() % 1000000000)};
    int n = ppoll(fds.data(), fds.size(), &ts, &old);  // EINTR: a signal; `stop` tells
    if (n <= 0) break;
    bool other = false;
    for (std::size_t i = 1; i < fds.size(); ++i) other = other || fds[i].revents;
    if ((fds[0].revents & POLLIN) && notices_) {
      stored = notices_->take(stored_ids_, overflowed_);
      wakes_ += stored;
    } else if (fds[0].revents & POLLIN) {
      // A sender's temporary renamed to its event's name is not a store, nor
      // a spare file taken to be written over.
      alignas(inotify_event) char buf[4096];
      for (ssize_t got; (got = read(inotify_, buf, sizeof buf)) > 0;) {
        for (ssize_t at = 0; at < got;) {
          const auto* e = reinterpret_cast<const inotify_event*>(buf + at);
          if (e->len == 0 || (!is_temporary_name(e->name) && !is_spare_name(e->name)))
            stored = true;
          if (e->mask & IN_Q_OVERFLOW) overflowed_ = true;
          if (e->len > 0)
            if (auto name = Outbox::parse_name(e->name)) stored_ids_.insert(name->id);
          at += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
        }
      }
      wakes_ += stored;
    }
    if (other) break;
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  for (std::size_t i = 1; i < fds.size(); ++i) close(fds[i].fd);
}

std::optional<std::set<std::string>> StoreWatch::take_stored() {
  std::set<std::string> ids;
  ids.swap(stored_ids_);
  if (std::exchange(overflowed_, false)) return std::nullopt;
  return ids;
}

}  // namespace pj::judge
