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

}  // namespace pj::judge
