// The local transport: for jobs, a leased queue of files (leased_queue.hpp);
// for events, a POSIX message queue and a durable outbox in the instance's
// state directory. An event is written to the outbox before it is sent; the
// collector reads the queue and rescans the outbox, so a message lost with a
// killed process is still stored. See README, "Delivery".
//
// Group commit: a sender's events published while its previous write was
// under way are written together, as one outbox file per submission
// ("<id>.<first>-<last>.json", one event a line) made durable by one fsync,
// and sent as one message headed by that file name. The collector stores the
// events of a message or file in one transaction and then deletes the file
// (the receipt), never before.
#include "judge/pipeline/local_transport.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <thread>

#include "judge/engine/error.hpp"
#include "judge/pipeline/durable.hpp"
#include "judge/pipeline/leased_queue.hpp"
#include "judge/pipeline/mq.hpp"
#include "judge/pipeline/outbox.hpp"
#include "judge/pipeline/pending_events.hpp"
#include "judge/report/events.hpp"

namespace pj::judge {
namespace {

// How long one send waits for room before looking whether a collector runs.
constexpr double kSendWaitSeconds = 0.1;
// A group's message (its file name, then its events) fits in one message of
// the queues we make; an event alone always goes, being at most half of it.
constexpr std::size_t kGroupBytes = static_cast<std::size_t>(MessageQueue::kMessageSize);

class LocalEventSink : public EventSink {
 public:
  explicit LocalEventSink(const Instance& inst)
      : inst_(inst), outbox_(inst.outbox_dir(), inst.sync), blobs_(inst.blobs_dir(), inst.sync) {
    make_state_dirs(inst_);
    writer_ = std::thread([this] { write_loop(); });
  }

  // What was handed over is still written (and sent) before it returns.
  ~LocalEventSink() override {
    handover_.close();
    writer_.join();
  }

  LocalEventSink(const LocalEventSink&) = delete;
  LocalEventSink& operator=(const LocalEventSink&) = delete;

  void publish(const std::string& id, std::int64_t seq, const std::string& message,
               bool may_wait) override {
    handover_.publish({id, seq, message, may_wait});
  }
  std::uint64_t published() override { return handover_.published(); }
  void flush_through(std::uint64_t mark) override { handover_.flush_through(mark); }

  std::string put_blob(std::string_view data) override { return blobs_.put(data); }

  std::vector<std::string> unstored(const std::string& id) override {
    handover_.flush_events_of(id);
    std::vector<std::string> found;
    for (const auto& name : outbox_.list_for(id)) {
      try {
        auto data = read_owned_file(outbox_.path(name), geteuid(), kGroupBytes);
        if (!data) continue;
        for (auto line : Outbox::split_lines(*data)) found.emplace_back(line);
      } catch (const std::exception&) {
        // the collector will reject it too
      }
    }
    return found;
  }

 private:
  // The writer thread: takes everything handed over, writes it, sends it.
  void write_loop() {
    for (;;) {
      std::vector<OutgoingEvent> taken;
      {
        auto lock = handover_.lock();
        handover_.wake().wait(lock, [&] { return handover_.closing() || !handover_.empty(); });
        if (handover_.empty()) return;  // closing, and everything is written
        taken = handover_.linger_and_take(lock);
      }
      std::exception_ptr failure;
      try {
        write_and_send(taken);
      } catch (...) {
        failure = std::current_exception();
      }
      handover_.written(taken.size(), failure);
    }
  }

  // Group commit: every file written, one fsync of the outbox directory for
  // all their names, and only then is anything sent.
  void write_and_send(const std::vector<OutgoingEvent>& events) {
    // The message: "<id>.<first>-<last>.json\n" then the lines.
    std::vector<EventGroup> groups = make_event_groups(events, kGroupBytes, 32);
    for (auto& g : groups) g.name = outbox_.write(g.id, g.first, g.last, g.lines, false);
    outbox_.sync_dir();
    for (const auto& g : groups) deliver(g.name + "\n" + g.lines);
  }

  // Sending is the fast path, not the safe one: whatever happens here, the
  // outbox copy reaches the collector.
  void deliver(const std::string& message) {
    try {
      for (;;) {
        if (!queue_ && !reopen_queue()) return;
        if (collector_down_ && !collector_running(inst_)) return;
        if (message.size() > static_cast<std::size_t>(queue_->message_size())) return;
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
  // The writer thread's own.
  std::optional<MessageQueue> queue_;
  bool collector_down_ = false;
  bool warned_ = false;
  EventHandover handover_;  // shared with the writer thread
  std::thread writer_;      // last: started once everything above is ready
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

  // Every message waiting (up to about `max` events): what arrived while the
  // last batch was being committed goes into the next transaction whole.
  std::vector<Delivery> receive(std::size_t max, double timeout) override {
    std::vector<Delivery> batch;
    auto first = queue_.receive(timeout);
    if (first.status != MessageQueue::Status::Ok) return batch;
    live(first.data, batch);
    while (batch.size() < max) {
      auto next = queue_.receive(0);
      if (next.status != MessageQueue::Status::Ok) break;
      live(next.data, batch);
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
      read_outbox_file(name, batch);
    }
    if (batch.empty()) in_pass_ = false;
    return batch;
  }

  void acknowledge(const std::vector<std::string>& receipts,
                   const std::vector<std::string>& blobs) override {
    for (const auto& name : receipts) outbox_.remove(name);
    for (const auto& hash : blobs) blobs_.remove(hash);
  }

  void reject(const Delivery& d, const std::string&) override {
    if (d.recovered) outbox_.reject(std::filesystem::path(d.where).filename().string());
  }

  std::optional<std::string> blob(const std::string& hash) override {
    return blobs_.get(hash, uid_);
  }

  std::string describe() const override {
    return "queue " + inst_.queue + " (" + std::to_string(queue_.pending()) + " waiting)";
  }

 private:
  // A message as deliveries: "<outbox file name>\n" then its events, one a
  // line; or a lone event, with no outbox file named.
  void live(const std::string& data, std::vector<Delivery>& batch) const {
    std::string where = "a message from " + inst_.queue;
    auto newline = data.find('\n');
    std::optional<OutboxName> group;
    if (newline != std::string::npos) group = Outbox::parse_name(data.substr(0, newline));
    if (!group) {
      Delivery d;
      d.data = data;
      d.where = std::move(where);
      batch.push_back(std::move(d));
      return;
    }
    std::string name = data.substr(0, newline);
    split(std::string_view(data).substr(newline + 1), *group, name, where, false, batch);
  }

  // The events of a file or message named `name`, one delivery each, or one
  // malformed delivery if they are not the events the name says.
  static void split(std::string_view events, const OutboxName& group, const std::string& name,
                    const std::string& where, bool recovered, std::vector<Delivery>& batch) {
    std::vector<std::string_view> lines;
    if (group.first == group.last)
      lines.push_back(events);  // one event: the whole content, whatever it holds
    else
      lines = Outbox::split_lines(events);
    if (lines.size() != group.count()) {
      Delivery d;
      d.state = Delivery::State::Malformed;
      d.why = "holds " + std::to_string(lines.size()) + " events, its name says " +
              std::to_string(group.count());
      d.where = where;
      d.recovered = recovered;
      batch.push_back(std::move(d));
      return;
    }
    for (std::size_t i = 0; i < lines.size(); ++i) {
      Delivery d;
      d.data = std::string(lines[i]);
      d.where = where;
      d.recovered = recovered;
      d.expected = std::pair(group.id, group.first + static_cast<std::int64_t>(i));
      d.receipt = name;
      batch.push_back(std::move(d));
    }
  }

  // An outbox file as deliveries; none if it is gone (stored meanwhile).
  void read_outbox_file(const std::string& name, std::vector<Delivery>& batch) {
    std::string where = outbox_.path(name).string();
    auto malformed = [&](Delivery::State state, std::string why) {
      Delivery d;
      d.state = state;
      d.why = std::move(why);
      d.where = where;
      d.recovered = true;
      batch.push_back(std::move(d));
    };
    auto group = Outbox::parse_name(name);
    if (!group)
      return malformed(Delivery::State::Malformed, "not an event file name (<id>.<seq>.json)");
    try {
      auto data = read_owned_file(outbox_.path(name), uid_,
                                  group->first == group->last ? kMaxEventBytes : kGroupBytes);
      if (data) split(*data, *group, name, where, true, batch);
    } catch (const std::system_error& e) {
      malformed(Delivery::State::Unreadable, e.what());
    } catch (const std::exception& e) {
      malformed(Delivery::State::Malformed, e.what());
    }
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
