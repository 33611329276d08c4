#include "judge/pipeline/pending_events.hpp"

#include <utility>

namespace pj::judge {

bool PendingEvents::add(OutgoingEvent event) {
  bool wake = events_.empty() || (!event.may_wait && !urgent_);
  if (events_.empty()) first_added_ = Clock::now();
  urgent_ = urgent_ || !event.may_wait;
  events_.push_back(std::move(event));
  return wake;
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
