// Waiting for the collector to store something, without polling. The
// collector removes an event's outbox copy once its transaction has
// committed, so a removal in the outbox directory is the moment a reader of
// the database can see a new event: an inotify watch on that directory
// wakes the follower then (and only then), and pidfds wake it when a process
// it depends on (the judging worker, a private collector) ends. A collector
// of one's own can instead tell of its stores through a FIFO
// (store_notices.hpp), which is cheaper to close.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <optional>
#include <set>
#include <string>

namespace pj::judge {

class StoreNoticeReader;

class StoreWatch {
 public:
  // Watches `outbox_dir` (created if missing): any collector's stores.
  // Throws std::system_error.
  explicit StoreWatch(const std::filesystem::path& outbox_dir);
  // Hears the notices of a collector told to write them to `fifo` (made if
  // missing). Throws std::system_error.
  struct Notices {
    std::filesystem::path fifo;
  };
  explicit StoreWatch(const Notices& notices);
  ~StoreWatch();
  StoreWatch(const StoreWatch&) = delete;
  StoreWatch& operator=(const StoreWatch&) = delete;

  // Returns once an event may have been stored since the last call, one of
  // `pids` (those > 0) has ended, `stop` is set by a signal handler, or
  // `timeout` has passed. SIGINT and SIGTERM are unblocked only inside the
  // wait, so a signal between the check of `stop` and the wait is not missed.
  void wait(std::initializer_list<pid_t> pids, const std::atomic<bool>& stop,
            std::chrono::milliseconds timeout);

  // How many times wait() returned because of the outbox (for tests).
  std::size_t wakes() const { return wakes_; }

  // The submissions with events stored (or rejected) since the last call, as
  // the outbox names told; nullopt when the kernel dropped some of its
  // notices (a full queue): then any submission may have.
  std::optional<std::set<std::string>> take_stored();

 private:
  int inotify_ = -1;
  std::unique_ptr<StoreNoticeReader> notices_;
  std::size_t wakes_ = 0;
  std::set<std::string> stored_ids_;
  bool overflowed_ = false;
};

}  // namespace pj::judge
