// The local transport: for jobs, a leased queue of files (leased_queue.hpp);
// for events, a POSIX message queue and a durable outbox in the instance's
// state directory. An event is written to the outbox before it is sent; the
// collector reads the queue and rescans the outbox, so a message lost with a
// killed process is still stored. See README, "Delivery".
#include "judge/pipeline/local_transport.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "judge/engine/error.hpp"
#include "judge/pipeline/durable.hpp"
#include "judge/pipeline/leased_queue.hpp"
#include "judge/pipeline/mq.hpp"
#include "judge/pipeline/outbox.hpp"
#include "judge/report/events.hpp"

namespace pj::judge {
namespace {

// How long one send waits for room before looking whether a collector runs.
constexpr double kSendWaitSeconds = 0.1;

class LocalEventSink : public EventSink {
 public:
  explicit LocalEventSink(const Instance& inst)
      : inst_(inst), outbox_(inst.outbox_dir(), inst.sync), blobs_(inst.blobs_dir(), inst.sync) {
    make_state_dirs(inst_);
  }

  void publish(const std::string& id, std::int64_t seq, const std::string& message) override {
    outbox_.write(id, seq, message);
    deliver(message);
  }

  std::string put_blob(std::string_view data) override { return blobs_.put(data); }

  std::vector<std::string> unstored(const std::string& id) override {
    std::vector<std::string> found;
    for (const auto& name : outbox_.list_for(id)) {
      try {
        if (auto data = read_owned_file(outbox_.path(name), geteuid(), kMaxEventBytes))
          found.push_back(std::move(*data));
      } catch (const std::exception&) {
        // the collector will reject it too
      }
    }
    return found;
  }

 private:
  // Sending is the fast path, not the safe one: whatever happens here, the
  // outbox copy reaches the collector.
  void deliver(const std::string& message) {
    try {
      for (;;) {
        if (!queue_ && !reopen_queue()) return;
        if (collector_down_ && !collector_running(inst_)) return;
        auto status = queue_->send(message, kSendWaitSeconds);
        if (status == MessageQueue::Status::Ok) {
          collector_down_ = false;
          return;
        }
        if (status == MessageQueue::Status::Interrupted) continue;
        // Full. A running collector is behind: wait (back-pressure). None
        // running: nobody would make room.
        if (!collector_running(inst_)) {
          collector_down_ = true;
          return;
        }
        reopen_queue();  // a collector may have made a new queue under the name
      }
    } catch (const std::exception& e) {
      if (!warned_)
        std::fprintf(stderr, "pipejudge: %s: cannot send events (they wait in %s): %s\n",
                     inst_.queue.c_str(), inst_.outbox_dir().c_str(), e.what());
      warned_ = true;
      queue_.reset();
    }
  }

  // Opens the queue by name again; false if there is none (no collector has
  // made it yet: the outbox copy will do).
  bool reopen_queue() {
    auto fresh = MessageQueue::open_existing(inst_.queue);
    if (!fresh) {
      queue_.reset();
      return false;
    }
    if (!queue_ || queue_->inode() != fresh->inode()) queue_ = std::move(fresh);
    return true;
  }

  Instance inst_;
  Outbox outbox_;
  BlobFiles blobs_;
  std::optional<MessageQueue> queue_;
  bool collector_down_ = false;
  bool warned_ = false;
};

class LocalEventSource : public EventSource {
 public:
  explicit LocalEventSource(const Instance& inst)
      : inst_(inst),
        queue_(MessageQueue::open_or_create(inst.queue)),
        outbox_(inst.outbox_dir(), inst.sync),
        blobs_(inst.blobs_dir(), inst.sync),
        uid_(geteuid()) {
    outbox_.remove_stale_temporaries(std::chrono::hours(1));
  }

  std::vector<Delivery> receive(std::size_t max, double timeout) override {
    std::vector<Delivery> batch;
    auto first = queue_.receive(timeout);
    if (first.status != MessageQueue::Status::Ok) return batch;
    batch.push_back(live(std::move(first.data)));
    while (batch.size() < max) {
      auto next = queue_.receive(0);
      if (next.status != MessageQueue::Status::Ok) break;
      batch.push_back(live(std::move(next.data)));
    }
    return batch;
  }

  std::vector<Delivery> recover(std::size_t max) override {
    if (pass_.empty() && !in_pass_) {
      pass_ = outbox_.list();
      std::reverse(pass_.begin(), pass_.end());  // taken from the back, in name order
      in_pass_ = true;
    }
    std::vector<Delivery> batch;
    while (!pass_.empty() && batch.size() < max) {
      std::string name = std::move(pass_.back());
      pass_.pop_back();
      if (auto d = read_outbox_file(name)) batch.push_back(std::move(*d));
    }
    if (batch.empty()) in_pass_ = false;
    return batch;
  }

  void acknowledge(const std::vector<std::pair<std::string, std::int64_t>>& events,
                   const std::vector<std::string>& blobs) override {
    for (const auto& [id, seq] : events) outbox_.remove(id, seq);
    for (const auto& hash : blobs) blobs_.remove(hash);
  }

  void reject(const Delivery& d) override {
    if (d.recovered) outbox_.reject(std::filesystem::path(d.where).filename().string());
  }

  std::optional<std::string> blob(const std::string& hash) override {
    return blobs_.get(hash, uid_);
  }

  std::string describe() const override {
    return "queue " + inst_.queue + " (" + std::to_string(queue_.pending()) + " waiting)";
  }

 private:
  Delivery live(std::string data) const {
    Delivery d;
    d.data = std::move(data);
    d.where = "a message from " + inst_.queue;
    return d;
  }

  // An outbox file as a delivery; nullopt if it is gone (stored meanwhile).
  std::optional<Delivery> read_outbox_file(const std::string& name) {
    Delivery d;
    d.recovered = true;
    d.where = outbox_.path(name).string();
    d.expected = Outbox::parse_name(name);
    if (!d.expected) {
      d.state = Delivery::State::Malformed;
      d.why = "not an event file name (<id>.<seq>.json)";
      return d;
    }
    try {
      auto data = read_owned_file(outbox_.path(name), uid_, kMaxEventBytes);
      if (!data) return std::nullopt;
      d.data = std::move(*data);
    } catch (const std::system_error& e) {
      d.state = Delivery::State::Unreadable;
      d.why = e.what();
    } catch (const std::exception& e) {
      d.state = Delivery::State::Malformed;
      d.why = e.what();
    }
    return d;
  }

  Instance inst_;
  MessageQueue queue_;
  Outbox outbox_;
  BlobFiles blobs_;
  uid_t uid_;
  std::vector<std::string> pass_;  // outbox files of this recovery pass, still to read
  bool in_pass_ = false;
};

class LocalTransport : public Transport {
 public:
  explicit LocalTransport(const Instance& inst) : inst_(inst) {}

  std::unique_ptr<JobQueue> job_queue() override { return make_leased_job_queue(inst_); }
  std::unique_ptr<EventSink> event_sink() override {
    return std::make_unique<LocalEventSink>(inst_);
  }
  std::unique_ptr<EventSource> event_source() override {
    return std::make_unique<LocalEventSource>(inst_);
  }
  void remove() override {
    MessageQueue::unlink(inst_.queue);
    MessageQueue::unlink(inst_.jobs_queue());
  }

 private:
  Instance inst_;
};

}  // namespace

std::unique_ptr<Transport> make_local_transport(const Instance& inst) {
  return std::make_unique<LocalTransport>(inst);
}

}  // namespace pj::judge
