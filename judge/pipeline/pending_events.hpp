// What a sink's writer thread has yet to commit, and how long it may still
// wait for company (group commit: the more events a group holds, the fewer
// files, fsyncs, messages and transactions per event). Not thread-safe: a
// sink guards it with its own mutex.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
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

}  // namespace pj::judge
