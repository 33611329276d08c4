#include "judge/collector.hpp"

#include <unistd.h>

#include <chrono>
#include <thread>

#include "judge/durable.hpp"
#include "judge/error.hpp"

namespace pj::judge {
namespace {

constexpr std::size_t kBatch = 256;  // events per transaction

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// The state directories exist and no other collector runs on the instance.
CollectorLock claim_instance(const Instance& inst) {
  make_state_dirs(inst);
  auto lock = CollectorLock::try_acquire(inst);
  if (!lock)
    throw ConfigError(inst.lock_path().string(),
                      "another collector (pid " + std::to_string(CollectorLock::holder_pid(inst)) +
                          ") is running for instance " + inst.name);
  return std::move(*lock);
}

// Sleeps up to `seconds`, waking early when `stop` is set.
void pause(double seconds, const std::atomic<bool>& stop) {
  auto until = Clock::now() + std::chrono::duration<double>(seconds);
  while (!stop && Clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

}  // namespace

Collector::Collector(const Instance& inst, CollectorOptions options, Log warn)
    : inst_(inst),
      options_(options),
      warn_(std::move(warn)),
      lock_(claim_instance(inst_)),
      store_(ResultStore::open_writer(inst_.db_path, inst_.sync, options_.max_db_bytes)),
      queue_(MessageQueue::open_or_create(inst_.queue)),
      outbox_(inst_.outbox_dir(), inst_.sync),
      blobs_(inst_.blobs_dir(), inst_.sync),
      uid_(geteuid()) {
  outbox_.remove_stale_temporaries(std::chrono::hours(1));
}

void Collector::reject(const Incoming& item, const std::string& reason) {
  ++stats_.rejected;
  if (item.file.empty()) {
    warn_("rejected a message from " + inst_.queue + ": " + reason);
  } else {
    warn_("rejected " + outbox_.path(item.file).string() + ": " + reason + " (moved to " +
          (inst_.outbox_dir() / "rejected").string() + ")");
    outbox_.reject(item.file);
  }
}

// Fetches the blobs an event refers to that the database lacks.
bool Collector::load_blobs(StoredEvent& e, std::string& error) {
  for (const auto& hash : e.event.blobs) {
    if (e.blobs.count(hash) || store_.has_blob(hash)) continue;
    try {
      auto data = blobs_.get(hash, uid_);
      if (!data) {
        error = "refers to blob " + hash + ", which is not in " + inst_.blobs_dir().string();
        return false;
      }
      e.blobs.emplace(hash, std::move(*data));
    } catch (const std::exception& ex) {
      error = "blob " + hash + ": " + ex.what();
      return false;
    }
  }
  return true;
}

std::size_t Collector::process(std::vector<Incoming>& batch) {
  std::vector<StoredEvent> ready;
  std::size_t from_outbox = 0;
  for (auto& item : batch) {
    ParsedEvent parsed = parse_event(item.data, uid_);
    if (!parsed.event) {
      reject(item, parsed.error);
      continue;
    }
    if (!item.file.empty() && item.file != Outbox::file_name(parsed.event->id, parsed.event->seq)) {
      reject(item, "the file name does not match the event's id and seq");
      continue;
    }
    StoredEvent se{std::move(*parsed.event), {}};
    std::string error;
    if (!load_blobs(se, error)) {
      reject(item, error);
      continue;
    }
    from_outbox += !item.file.empty();
    ready.push_back(std::move(se));
  }
  if (ready.empty()) return 0;
  std::size_t added = 0;
  try {
    added = store_.ingest(ready);
  } catch (const StoreError& e) {
    // Nothing is lost: every event of the batch is still in the outbox.
    ++stats_.store_failures;
    if (!failing_)
      warn_("cannot store " + std::to_string(ready.size()) + " events in " + e.path() + ": " +
            e.what() + "; they wait in " + inst_.outbox_dir().string() + ", retrying");
    failing_ = true;
    throw;
  }
  if (failing_) warn_("the results database takes writes again");
  failing_ = false;
  stats_.stored += added;
  stats_.duplicates += ready.size() - added;
  stats_.from_outbox += std::min(from_outbox, added);
  // Committed: only now may the outbox copies (and blob files) go.
  for (const auto& se : ready) {
    outbox_.remove(se.event.id, se.event.seq);
    for (const auto& hash : se.event.blobs) blobs_.remove(hash);
  }
  return added;
}

std::optional<Collector::Incoming> Collector::read_outbox_file(const std::string& name) {
  Incoming item{{}, name};
  if (!Outbox::parse_name(name)) {
    reject(item, "not an event file name (<id>.<seq>.json)");
    return std::nullopt;
  }
  try {
    auto data = read_owned_file(outbox_.path(name), uid_, kMaxEventBytes);
    if (!data) return std::nullopt;  // stored and removed meanwhile
    item.data = std::move(*data);
    return item;
  } catch (const std::system_error& e) {
    warn_("cannot read " + outbox_.path(name).string() + ": " + e.what());
  } catch (const std::exception& e) {
    reject(item, e.what());
  }
  return std::nullopt;
}

std::size_t Collector::drain_outbox() {
  std::size_t added = 0;
  std::vector<Incoming> batch;
  auto flush = [&] {
    added += process(batch);
    batch.clear();
  };
  for (const auto& name : outbox_.list()) {
    if (auto item = read_outbox_file(name)) batch.push_back(std::move(*item));
    if (batch.size() == kBatch) flush();
  }
  flush();
  return added;
}

// What is in the queue now, up to a batch, after waiting for the first.
void Collector::receive_batch(std::vector<Incoming>& batch) {
  auto first = queue_.receive(options_.idle_rescan_seconds);
  if (first.status != MessageQueue::Status::Ok) return;
  batch.push_back({std::move(first.data), {}});
  while (batch.size() < kBatch) {
    auto next = queue_.receive(0);
    if (next.status != MessageQueue::Status::Ok) break;
    batch.push_back({std::move(next.data), {}});
  }
}

void Collector::run(const std::atomic<bool>& stop) {
  auto last_scan = Clock::now();
  std::vector<Incoming> batch;
  while (!stop) {
    try {
      batch.clear();
      receive_batch(batch);
      if (!batch.empty()) process(batch);
      bool idle = batch.empty();
      double since = seconds_since(last_scan);
      if ((idle && since >= options_.idle_rescan_seconds) ||
          since >= options_.busy_rescan_seconds) {
        last_scan = Clock::now();
        drain_outbox();
      }
    } catch (const StoreError&) {
      // Already logged. Wait, then scan the outbox: it holds the batch.
      pause(options_.retry_seconds, stop);
      last_scan = Clock::time_point{};
    } catch (const std::exception& e) {
      warn_(std::string("error: ") + e.what());
      pause(options_.retry_seconds, stop);
    }
  }
}

}  // namespace pj::judge
