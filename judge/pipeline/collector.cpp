#include "judge/pipeline/collector.hpp"

#include <unistd.h>

#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "judge/engine/error.hpp"

namespace pj::judge {
namespace {

// Events per transaction, about: a batch takes whole groups.
constexpr std::size_t kBatch = 512;

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
      events_(open_transport(inst_)->event_source()),
      uid_(geteuid()) {
  if (!options_.store_notices.empty()) notices_.emplace(options_.store_notices);
}

void Collector::reject(const Delivery& d, const std::string& reason) {
  ++stats_.rejected;
  if (d.recovered) {
    warn_("rejected " + d.where + ": " + reason + " (moved to " +
          (inst_.outbox_dir() / "rejected").string() + ")");
  } else {
    warn_("rejected " + d.where + ": " + reason);
  }
  events_->reject(d, reason);
}

// Fetches the blobs an event refers to that the database lacks.
bool Collector::load_blobs(StoredEvent& e, std::string& error) {
  for (const auto& hash : e.event.blobs) {
    if (e.blobs.count(hash) || store_.has_blob(hash)) continue;
    try {
      auto data = events_->blob(hash);
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

// The event a delivery holds, checked and with its blobs; nullopt if it is
// not one (rejected with the reason) or cannot be read now.
std::optional<StoredEvent> Collector::admit(const Delivery& d) {
  if (d.state == Delivery::State::Unreadable) {
    warn_("cannot read " + d.where + ": " + d.why);
    return std::nullopt;
  }
  if (d.state == Delivery::State::Malformed) {
    reject(d, d.why);
    return std::nullopt;
  }
  ParsedEvent parsed = parse_event(d.data, uid_);
  if (!parsed.event) {
    reject(d, parsed.error);
    return std::nullopt;
  }
  if (d.expected && *d.expected != std::pair(parsed.event->id, parsed.event->seq)) {
    reject(d, "the file name does not match the event's id and seq");
    return std::nullopt;
  }
  StoredEvent se{std::move(*parsed.event), {}, d.data};
  std::string error;
  if (!load_blobs(se, error)) {
    reject(d, error);
    return std::nullopt;
  }
  return se;
}

// Stores the events in one transaction (group commit: one fsync for all of
// them); only once they are committed do they (and their blobs) leave the
// stream. Throws StoreError: nothing is lost, every event of the batch is
// still in the stream.
std::size_t Collector::commit(const std::vector<StoredEvent>& ready,
                              const std::vector<std::string>& receipts) {
  std::size_t added = 0;
  try {
    added = store_.ingest(ready);
  } catch (const StoreError& e) {
    ++stats_.store_failures;
    if (!failing_)
      warn_("cannot store " + std::to_string(ready.size()) + " events in " + e.path() + ": " +
            e.what() + "; they wait in " + inst_.outbox_dir().string() + ", retrying");
    failing_ = true;
    throw;
  }
  if (failing_) warn_("the results database takes writes again");
  failing_ = false;
  std::vector<std::string> blobs;
  for (const auto& se : ready)
    blobs.insert(blobs.end(), se.event.blobs.begin(), se.event.blobs.end());
  events_->acknowledge(receipts, blobs);
  return added;
}

std::size_t Collector::process(std::vector<Delivery>& batch) {
  std::vector<StoredEvent> ready;
  std::size_t recovered = 0;
  std::uint64_t rejected_before = stats_.rejected;
  // A receipt is acknowledged only if every event it holds is stored now; a
  // durable copy holding one that is not (unreadable now, or rejected and
  // set aside) stays where it is.
  std::map<std::string, bool> receipts;
  for (const auto& d : batch) {
    std::optional<StoredEvent> se = admit(d);
    if (!d.receipt.empty()) {
      auto [it, fresh] = receipts.emplace(d.receipt, true);
      it->second = it->second && se.has_value();
    }
    if (!se) continue;
    recovered += d.recovered;
    ready.push_back(std::move(*se));
  }
  bool rejected = stats_.rejected > rejected_before;
  if (ready.empty()) {
    if (notices_ && rejected) notices_->tell({}, true);
    return 0;
  }
  std::vector<std::string> done;
  for (const auto& [receipt, whole] : receipts)
    if (whole) done.push_back(receipt);
  std::size_t added = commit(ready, done);
  if (notices_) {
    std::set<std::string> ids;
    for (const auto& se : ready) ids.insert(se.event.id);
    notices_->tell(ids, rejected);
  }
  stats_.stored += added;
  stats_.duplicates += ready.size() - added;
  stats_.from_outbox += std::min(recovered, added);
  return added;
}

std::size_t Collector::recover() {
  std::size_t added = 0;
  for (;;) {
    std::vector<Delivery> batch = events_->recover(kBatch);
    if (batch.empty()) return added;
    added += process(batch);
  }
}

void Collector::run(const std::atomic<bool>& stop) {
  auto last_scan = Clock::now();
  while (!stop) {
    try {
      std::vector<Delivery> batch = events_->receive(kBatch, options_.idle_rescan_seconds);
      if (!batch.empty()) process(batch);
      bool idle = batch.empty();
      double since = seconds_since(last_scan);
      if ((idle && since >= options_.idle_rescan_seconds) ||
          since >= options_.busy_rescan_seconds) {
        last_scan = Clock::now();
        recover();
      }
    } catch (const StoreError&) {
      // Already logged. Wait, then recover: the stream holds the batch.
      pause(options_.retry_seconds, stop);
      last_scan = Clock::time_point{};
    } catch (const std::exception& e) {
      warn_(std::string("error: ") + e.what());
      pause(options_.retry_seconds, stop);
    }
  }
}

}  // namespace pj::judge
