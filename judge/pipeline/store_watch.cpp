#include "judge/pipeline/store_watch.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <vector>

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

StoreWatch::~StoreWatch() {
  if (inotify_ >= 0) close(inotify_);
}

void StoreWatch::wait(std::initializer_list<pid_t> pids, const std::atomic<bool>& stop,
                      std::chrono::milliseconds timeout) {
  std::vector<pollfd> fds = {{inotify_, POLLIN, 0}};
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
  if (!stop) {
    timespec ts{static_cast<time_t>(timeout.count() / 1000),
                static_cast<long>(timeout.count() % 1000) * 1000000L};
    ppoll(fds.data(), fds.size(), &ts, &old);  // EINTR: a signal; the caller looks at `stop`
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  for (std::size_t i = 1; i < fds.size(); ++i) close(fds[i].fd);
  if (fds[0].revents & POLLIN) {
    ++wakes_;
    alignas(inotify_event) char buf[4096];
    while (read(inotify_, buf, sizeof buf) > 0) {
    }
  }
}

}  // namespace pj::judge
