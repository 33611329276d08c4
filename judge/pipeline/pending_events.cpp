#include "judge/pipeline/pending_events.hpp"

#include <utility>

namespace pj::judge {

bool PendingEvents::add(OutgoingEvent event) {
  bool wake = events_.empty() || (!event.may_wait && !urgent_);
  if (events_.empty()) first_added_ = Clock::now();
  urgent_ = urgent_ || !event.may_wait;
  last_marks_[event.id] = ++added_;
  events_.push_back(std::move(event));
  return wake;
}

std::optional<std::uint64_t> PendingEvents::last_mark_of(const std::string& id) const {
  auto it = last_marks_.find(id);
  if (it == last_marks_.end()) return std::nullopt;
  return it->second;
}

void PendingEvents::written_through(std::uint64_t done) {
  std::erase_if(last_marks_, [done](const auto& entry) { return entry.second <= done; });
}

std::vector<OutgoingEvent> PendingEvents::take() {
  std::vector<OutgoingEvent> taken;
  taken.swap(events_);
  urgent_ = false;
  return taken;
}

PendingEvents::Clock::time_point PendingEvents::deadline() const {
  return first_added_ + (urgent_ ? std::chrono::milliseconds(kEventLinger) : kBatchEventLinger);
}

void EventHandover::publish(OutgoingEvent event) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return failure_ || pending_.size() < kMaxPending; });
  if (failure_) std::rethrow_exception(failure_);
  bool wake = pending_.add(std::move(event));
  // The writer wants the first event, and the ones that end its lingering.
  if (wake || pending_.size() == kMaxPending / 2) wake_.notify_one();
}

std::uint64_t EventHandover::published() {
  std::lock_guard lock(mutex_);
  return pending_.added();
}

void EventHandover::flush_through(std::uint64_t mark) {
  std::unique_lock lock(mutex_);
  if (mark > wanted_) {
    wanted_ = mark;
    wake_.notify_one();  // no lingering for these
  }
  changed_.wait(lock, [&] { return failure_ || done_ >= mark; });
  if (failure_) std::rethrow_exception(failure_);
}

void EventHandover::flush_events_of(const std::string& id) {
  std::optional<std::uint64_t> mark;
  {
    std::lock_guard lock(mutex_);
    mark = pending_.last_mark_of(id);
  }
  if (mark) flush_through(*mark);
}

void EventHandover::close() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  wake_.notify_all();
}

std::vector<OutgoingEvent> EventHandover::linger_and_take(std::unique_lock<std::mutex>& lock) {
  pending_.linger(lock, wake_, [&] {
    return closing_ || wanted_ > done_ || pending_.size() >= kMaxPending / 2;
  });
  std::vector<OutgoingEvent> taken = pending_.take();
  changed_.notify_all();  // room for publish()
  return taken;
}

void EventHandover::written(std::size_t count, std::exception_ptr failure) {
  std::lock_guard lock(mutex_);
  if (failure) {
    // These events are not durable, so none after them may be: the callers
    // hear of it at their next publish() or flush.
    if (!failure_) failure_ = failure;
    pending_.take();
  } else {
    done_ += count;
    pending_.written_through(done_);
  }
  changed_.notify_all();
}

}  // namespace pj::judge
