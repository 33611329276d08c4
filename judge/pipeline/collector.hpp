// The results collector: the only writer of the results database. It
// receives events from the instance's event stream and stores them; it also
// recovers the stream's durable copies (at start, and again whenever idle),
// so an event whose message died with a killed collector is still stored.
// An event leaves the stream only once it is committed.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "judge/pipeline/instance.hpp"
#include "judge/pipeline/store.hpp"
#include "judge/pipeline/store_notices.hpp"
#include "judge/pipeline/transport.hpp"

namespace pj::judge {

struct CollectorOptions {
  std::uint64_t max_db_bytes = 0;     // 0: no cap (see ResultStore::open_writer)
  double idle_rescan_seconds = 0.25;  // recovery pass when nothing arrives
  double busy_rescan_seconds = 2.0;   // and at least this often when busy
  double retry_seconds = 1.0;         // after the database refused a write
  // A FIFO to tell of each commit (store_notices.hpp); "": none.
  std::string store_notices;
};

struct CollectorStats {
  std::uint64_t stored = 0;       // new events committed
  std::uint64_t duplicates = 0;   // redelivered events, ignored
  std::uint64_t rejected = 0;     // malformed messages or files, logged and skipped
  std::uint64_t from_outbox = 0;  // of `stored`, recovered from durable copies
  std::uint64_t store_failures = 0;
};

class Collector {
 public:
  // Claims the instance (ConfigError if another collector has it), opens
  // the database (StoreError: a clear error now, not a loss later) and the
  // event stream (ConfigError). `warn` gets every rejected message and
  // failure with its reason.
  Collector(const Instance& inst, CollectorOptions options, Log warn);

  // Stores every event the stream kept a durable copy of (one recovery
  // pass). Returns how many were new.
  std::size_t recover();
  // Until `stop`: receive and store events; recover when idle.
  void run(const std::atomic<bool>& stop);

  const CollectorStats& stats() const { return stats_; }
  // The event stream, in words ("queue /pipejudge-x (3 waiting)").
  std::string describe_stream() const { return events_->describe(); }

 private:
  std::size_t process(std::vector<Delivery>& batch);
  std::optional<StoredEvent> admit(const Delivery& d);
  std::size_t commit(const std::vector<StoredEvent>& ready,
                     const std::vector<std::string>& receipts);
  bool load_blobs(StoredEvent& e, std::string& error);
  void reject(const Delivery& d, const std::string& reason);

  Instance inst_;
  CollectorOptions options_;
  Log warn_;
  CollectorLock lock_;
  ResultStore store_;
  std::unique_ptr<EventSource> events_;
  CollectorStats stats_;
  uid_t uid_;
  bool failing_ = false;  // the database refused the last write
  std::optional<StoreNoticeWriter> notices_;
};

}  // namespace pj::judge
