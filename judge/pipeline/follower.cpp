#include "judge/pipeline/follower.hpp"

#include <algorithm>

#include "judge/report/events.hpp"

using nlohmann::json;

namespace pj::judge {

void EventFollower::add(std::vector<EventRow> rows) {
  for (auto& row : rows)
    if (row.seq >= next_seq_ && !row.body.is_discarded())
      pending_.emplace(row.seq, std::move(row.body));
}

void EventFollower::apply(const json& e, const TextLookup& lookup) {
  auto type = parse_event_type(e.value("type", ""));
  if (!type || *type == EventType::Queued) return;  // the caller knows what it submitted
  try {
    apply_event(report_, e, lookup);
  } catch (const SchemaError&) {
    return;  // stored events were checked; one that is not is left out
  }
  if (*type == EventType::Compiled && observer_) observer_->on_compiled(report_.compile);
  if (*type == EventType::Test && observer_)
    observer_->on_test(report_.tests.back(), report_.tests.size() - 1, report_.tests_total);
  if (*type == EventType::Final) done_ = true;
}

bool EventFollower::advance(const TextLookup& lookup,
                            const std::function<bool()>& nothing_pending) {
  while (!done_) {
    auto it = pending_.find(next_seq_);
    if (it == pending_.end()) {
      bool final_waiting = std::any_of(pending_.begin(), pending_.end(), [](const auto& p) {
        return p.second.value("type", "") == event_type_name(EventType::Final);
      });
      // A gap before the final that nothing will fill (an event the
      // collector rejected): go on without it.
      if (pending_.empty() || !final_waiting || !nothing_pending()) break;
      it = pending_.begin();
    }
    next_seq_ = it->first + 1;
    apply(it->second, lookup);
    pending_.erase(it);
  }
  return done_;
}

}  // namespace pj::judge
