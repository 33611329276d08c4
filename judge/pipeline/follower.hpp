// Following a submission through its stored events: rebuilds its report,
// in seq order, and tells an observer of each step as it is applied (the
// live table of `submit`; live streams of the HTTP API).
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>

#include "judge/engine/judge_submission.hpp"
#include "judge/pipeline/store.hpp"
#include "judge/report/report_json.hpp"

namespace pj::judge {

class EventFollower {
 public:
  EventFollower(SubmissionReport base, JudgeObserver* observer)
      : report_(std::move(base)), observer_(observer) {}

  // Takes rows read from the database (duplicates are fine).
  void add(std::vector<EventRow> rows);
  // Applies the events that follow on. If the final is there but an event
  // before it is missing and `nothing_pending()` says no more can come,
  // skips the gap. Returns true once the final has been applied.
  bool advance(const TextLookup& lookup, const std::function<bool()>& nothing_pending);

  // Events up to here have been applied (read only later ones).
  std::int64_t applied() const { return next_seq_ - 1; }
  bool done() const { return done_; }
  const SubmissionReport& report() const { return report_; }

 private:
  void apply(const nlohmann::json& event, const TextLookup& lookup);

  SubmissionReport report_;
  JudgeObserver* observer_;
  std::map<std::int64_t, nlohmann::json> pending_;
  std::int64_t next_seq_ = 0;
  bool done_ = false;
};

}  // namespace pj::judge
