// What a sink's writer thread has yet to commit, and how long it may still
// wait for company (group commit: the more events a group holds, the fewer
// files, fsyncs, messages and transactions per event); and the hand-over
// of those events between a sink's callers and its writer, which every
// transport's sink shares.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "judge/pipeline/outbox.hpp"

namespace pj::judge {

// How long events that may wait (a batch's test events) wait for company:
// a batch's tests reach live views up to this much later. Its verdict,
// flushed, is not held.
constexpr std::chrono::milliseconds kBatchEventLinger{250};

// Not thread-safe: EventHandover guards it.
class PendingEvents {
 public:
  // Adds an event; true if the writer should be woken for it: it is the
  // first, or the first that may not wait (the writer waits less now).
  bool add(OutgoingEvent event);
  // Everything pending, in the order added; none is left.
  std::vector<OutgoingEvent> take();
  bool empty() const { return events_.empty(); }
  std::size_t size() const { return events_.size(); }

  // Marks: the number of events added so far (EventSink::published()).
  std::uint64_t added() const { return added_; }
  // The mark of the last event of submission `id` not yet written: what to
  // flush through before its events are looked for elsewhere; nullopt if
  // none is pending or in flight.
  std::optional<std::uint64_t> last_mark_of(const std::string& id) const;
  // The first `done` events are written.
  void written_through(std::uint64_t done);

  // The writer's wait for company, on `wake` under `lock`: until `enough()`,
  // or until the first pending event has waited kEventLinger (kBatchEventLinger
  // if every one pending may wait).
  template <class Enough>
  void linger(std::unique_lock<std::mutex>& lock, std::condition_variable& wake,
              Enough enough) const {
    while (!enough() && !events_.empty()) {
      Clock::time_point until = deadline();
      if (Clock::now() >= until) return;
      wake.wait_until(lock, until);
    }
  }

 private:
  using Clock = std::chrono::steady_clock;
  Clock::time_point deadline() const;

  std::vector<OutgoingEvent> events_;
  std::uint64_t added_ = 0;
  std::map<std::string, std::uint64_t> last_marks_;  // by submission, until written
  Clock::time_point first_added_;
  bool urgent_ = false;  // one of them may not wait
};

// The hand-over between a sink's callers and its writer thread, the same
// for every transport: publish() adds an event (waiting while many are
// pending), flush_through() waits until the events before a mark are
// written, and the writer takes what is pending once it has lingered.
class EventHandover {
 public:
  // Events pending before publish() waits for the writer (back-pressure).
  static constexpr std::size_t kMaxPending = 1024;

  // The callers' side. Each throws the writer's failure: an event that
  // could not be written, after which none may be.
  void publish(OutgoingEvent event);
  std::uint64_t published();
  void flush_through(std::uint64_t mark);
  // This sink's own pending or in-flight events of submission `id`, written.
  void flush_events_of(const std::string& id);
  // The writer takes what is left, then closing() is true.
  void close();

  // The writer's side, under lock().
  std::unique_lock<std::mutex> lock() { return std::unique_lock(mutex_); }
  std::condition_variable& wake() { return wake_; }  // work, or closing
  bool closing() const { return closing_; }
  bool empty() const { return pending_.empty(); }
  // Waits for company (PendingEvents::linger) unless someone waits for
  // these events or many are pending; then takes them all.
  std::vector<OutgoingEvent> linger_and_take(std::unique_lock<std::mutex>& lock);
  // `count` events taken were written; or `failure` (then the rest pending
  // are dropped: none after a lost event may be written).
  void written(std::size_t count, std::exception_ptr failure);

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable changed_;  // for callers: room, progress, failure
  PendingEvents pending_;
  std::uint64_t done_ = 0;    // events written
  std::uint64_t wanted_ = 0;  // the highest mark a flush waits for
  std::exception_ptr failure_;
  bool closing_ = false;
};

}  // namespace pj::judge
