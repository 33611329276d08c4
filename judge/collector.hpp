// The results collector: the only writer of the results database. It
// receives events from the instance's queue and stores them; it also reads
// the outbox (at start, and again whenever idle), so an event whose message
// died with a killed collector is still stored. A file leaves the outbox
// only once its event is committed.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "judge/instance.hpp"
#include "judge/mq.hpp"
#include "judge/outbox.hpp"
#include "judge/store.hpp"

namespace pj::judge {

struct CollectorOptions {
  std::uint64_t max_db_bytes = 0;     // 0: no cap (see ResultStore::open_writer)
  double idle_rescan_seconds = 0.25;  // outbox scan when nothing arrives
  double busy_rescan_seconds = 2.0;   // and at least this often when busy
  double retry_seconds = 1.0;         // after the database refused a write
};

struct CollectorStats {
  std::uint64_t stored = 0;       // new events committed
  std::uint64_t duplicates = 0;   // redelivered events, ignored
  std::uint64_t rejected = 0;     // malformed messages or files, logged and skipped
  std::uint64_t from_outbox = 0;  // of `stored`, read from outbox files
  std::uint64_t store_failures = 0;
};

class Collector {
 public:
  using Log = std::function<void(const std::string&)>;

  // Claims the instance (ConfigError if another collector has it), opens
  // the database (StoreError: a clear error now, not a loss later) and the
  // queue (ConfigError). `warn` gets every rejected message and
  // failure with its reason.
  Collector(const Instance& inst, CollectorOptions options, Log warn);

  // Stores every event the outbox holds. Returns how many were new.
  std::size_t drain_outbox();
  // Until `stop`: receive and store events; scan the outbox when idle.
  void run(const std::atomic<bool>& stop);

  const CollectorStats& stats() const { return stats_; }
  const MessageQueue& queue() const { return queue_; }

 private:
  // A message from the queue, or the content of an outbox file.
  struct Incoming {
    std::string data;
    std::string file;  // outbox file name; empty for a queue message
  };

  std::size_t process(std::vector<Incoming>& batch);
  bool load_blobs(StoredEvent& e, std::string& error);
  void reject(const Incoming& item, const std::string& reason);
  std::optional<Incoming> read_outbox_file(const std::string& name);
  void receive_batch(std::vector<Incoming>& batch);

  Instance inst_;
  CollectorOptions options_;
  Log warn_;
  CollectorLock lock_;
  ResultStore store_;
  MessageQueue queue_;
  Outbox outbox_;
  BlobFiles blobs_;
  CollectorStats stats_;
  uid_t uid_;
  bool failing_ = false;  // the database refused the last write
};

}  // namespace pj::judge
