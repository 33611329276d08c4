// How submissions and their events travel between pipejudge's processes,
// declared here where they are used (submitters, workers, the collector):
//   - a job queue: submitters put jobs, workers take them under a lease and
//     acknowledge each once its final verdict is recorded; the job of a
//     worker that died goes to another (after a few attempts, to the dead
//     letters);
//   - an event stream: judges publish each event durably, the collector
//     receives them, stores them, and acknowledges what it stored.
// The local implementation (local_transport.cpp) is two POSIX message
// queues with a durable outbox on disk; the Redis one (redis_transport.hpp)
// is streams with consumer groups, for judges on many machines.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "judge/pipeline/instance.hpp"
#include "judge/pipeline/job.hpp"

namespace pj::judge {

using Log = std::function<void(const std::string&)>;

// A job as the queue holds it.
struct JobFacts {
  std::string id;
  Priority priority = Priority::Live;
  int attempts = 0;                   // takes so far
  double since = 0;                   // Unix seconds: queued, leased or buried at
  long holder_pid = 0;                // leased: the worker that holds it
  std::vector<std::string> failures;  // attempts that died
};

// A worker as it last said (JobQueue::worker_state).
struct WorkerFacts {
  long pid = 0;
  std::string state;  // "idle", "judging <id>", "waiting for a run slot"
  double since = 0;   // Unix seconds: in this state since
  std::string name;   // with a broker: its consumer name, "<host>:<pid>"
  bool lost = false;  // with a broker: no heartbeat for longer than the lease
  double beat = 0;    // with a broker: Unix seconds of its last heartbeat
};

struct QueueFacts {
  std::vector<JobFacts> queued;  // in taking order
  std::vector<JobFacts> leased, dead;
  std::vector<WorkerFacts> workers;  // running workers of the instance
};

class JobQueue {
 public:
  virtual ~JobQueue() = default;
  // Durable when it returns; false if `stop` was set first (a back end that
  // must wait for room). Throws ConfigError for a job too large to travel,
  // std::system_error if it cannot be recorded (disk full).
  virtual bool put(const Job& job, const std::atomic<bool>& stop) = 0;
  // The next job by priority, then age, waiting up to `timeout` seconds;
  // nullopt if none came (or, with the local queue, a signal came first).
  // It is leased to the caller until acknowledged,
  // released, requeued or buried, or until the caller dies. `attempt`
  // counts the takes of it, this one included. A malformed job is set
  // aside with the reason, and logged.
  virtual std::optional<Job> take(double timeout, const Log& log) = 0;
  // Its judging starts now: from here on, a taker that dies has spent an
  // attempt (one that dies before, waiting for a run slot, has not).
  virtual void judging(const Job& job) = 0;
  // Its final verdict is recorded: it leaves the queue for good.
  virtual void acknowledge(const Job& job) = 0;
  // Not judged after all (the taker stops): back in the queue, this take
  // not counted.
  virtual void release(const Job& job) = 0;
  // Jobs whose taker died judging them, now leased to the caller, with
  // `failures` naming each attempt that died (this one included): to be
  // acknowledged (its verdict made it out), requeued or buried. (A job
  // whose taker died before judging it goes back to the queue as it was.)
  virtual std::vector<Job> expired(const Log& log) = 0;
  // Back in the queue after the attempts in `job.failures`.
  virtual void requeue(const Job& job) = 0;
  // To the dead letters, with `job.failures`.
  virtual void bury(const Job& job) = 0;
  // `pipejudge cancel`. Removed: the job was queued and is now leased to
  // the caller (to acknowledge once its final verdict is recorded), as
  // `removed`. Stopping: a worker judges it and is asked to stop.
  // NotQueued: no such job (judged already, or never queued here).
  enum class Cancel { Removed, Stopping, NotQueued };
  virtual Cancel cancel(const std::string& id, std::optional<Job>& removed) = 0;
  // Whether the job leased to the caller was asked to stop.
  virtual bool cancelled(const Job& job) = 0;
  // Tells `pipejudge queue` what this worker process is doing; it shows
  // for as long as the process lives.
  virtual void worker_state(const std::string& state) = 0;
  // What is in the queue now (`pipejudge queue`).
  virtual QueueFacts facts() = 0;
};

// The judges' side of the event stream. Events are made durable in groups
// (group commit): publish() hands an event over and returns at once; the
// sink writes whatever has been handed over meanwhile together, makes it
// durable with one fsync, and only then sends it. Events become durable in
// the order they were published, so a sender that dies leaves a prefix of
// its events, never a gap.
class EventSink {
 public:
  virtual ~EventSink() = default;
  // Hands the event over. It is durable, then delivered as soon as the
  // collector can take it; never sent before it is on disk. Waits while
  // many events are still being written (back-pressure). Throws
  // std::system_error if an earlier event could not be recorded (disk
  // full): that event and the ones after it are not published. An event
  // that `may_wait` (a batch's test) is held longer for company.
  virtual void publish(const std::string& id, std::int64_t seq, const std::string& message,
                       bool may_wait) = 0;
  // The number of events published so far: a mark for flush_through().
  virtual std::uint64_t published() = 0;
  // Returns once the first `mark` events published are durable and sent (or
  // left in the outbox for a collector that is not running), without
  // waiting for company; later events pending by then go with them. Throws
  // as publish.
  virtual void flush_through(std::uint64_t mark) = 0;
  // flush_through(published()): every event so far.
  void flush() { flush_through(published()); }
  // Stores large bytes that events refer to by hash; returns the hash.
  virtual std::string put_blob(std::string_view data) = 0;
  // Events of submission `id` published but not yet stored by a collector
  // (this sink's own are flushed first).
  virtual std::vector<std::string> unstored(const std::string& id) = 0;
  // What a collector has stored of submission `id`, where the transport
  // keeps it (a broker: a judge on another machine has no results
  // database); nullopt where it does not (the local transport). Asked after
  // unstored(): an event leaves the stream when it is stored, not before.
  struct Stored {
    std::int64_t last_seq = -1;
    bool final = false;  // its final is among them
  };
  virtual std::optional<Stored> stored(const std::string& id) {
    (void)id;
    return std::nullopt;
  }
};

// One message as the collector receives it.
struct Delivery {
  enum class State { Ok, Malformed, Unreadable };
  State state = State::Ok;
  std::string data;        // the message
  std::string why;         // for Malformed and Unreadable
  std::string where;       // where it was read from, for messages
  bool recovered = false;  // a durable copy, not a live message
  // The event it must be, when the transport knows (id, seq).
  std::optional<std::pair<std::string, std::int64_t>> expected;
  // What acknowledges it (the transport's handle of its durable copy, which
  // may hold other events: deliveries with the same receipt come in the same
  // batch); empty if there is none to acknowledge.
  std::string receipt;
};

// The collector's side of the event stream.
class EventSource {
 public:
  virtual ~EventSource() = default;
  // Live events: every one waiting, up to about `max` (a durable group is
  // never split between batches), waiting up to `timeout` seconds for the
  // first.
  virtual std::vector<Delivery> receive(std::size_t max, double timeout) = 0;
  // Durable copies of events that may not have been stored (published while
  // no collector ran, or whose delivery died with a collector), up to about
  // `max` per call (whole groups); an empty batch ends one pass, and the
  // next call starts another.
  virtual std::vector<Delivery> recover(std::size_t max) = 0;
  // Stored: the events of these receipts and the blobs they refer to leave
  // the stream.
  virtual void acknowledge(const std::vector<std::string>& receipts,
                           const std::vector<std::string>& blobs) = 0;
  // Not an event (`why`): set aside with the reason (never retried, never lost).
  virtual void reject(const Delivery& d, const std::string& why) = 0;
  // The bytes of a blob (nullopt if it is not there); throws
  // std::runtime_error if it is not ours or does not match its hash.
  virtual std::optional<std::string> blob(const std::string& hash) = 0;
  // "queue /pipejudge-x (3 waiting)".
  virtual std::string describe() const = 0;
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual std::unique_ptr<JobQueue> job_queue() = 0;
  virtual std::unique_ptr<EventSink> event_sink() = 0;
  // Only the collector (who holds the instance's lock) receives events.
  virtual std::unique_ptr<EventSource> event_source() = 0;
  // Removes what the instance left in the transport (a private instance's end).
  virtual void remove() = 0;
};

// The instance's transport. Throws ConfigError if it cannot be opened.
std::unique_ptr<Transport> open_transport(const Instance& inst);

// With a broker: connects to it now, for a clear error at start (ConfigError:
// unreachable, wrong password). Without: nothing.
void check_broker(const Instance& inst);

}  // namespace pj::judge
