// How `submit` judges one submission without a daemon: the judge runs in a
// worker child process that reports through the event queue to a collector
// — its own, private to the run, or (--collector) the instance's running
// one — and the live table and the report are read back from the results
// database, so what `submit` shows is what was stored.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "judge/child.hpp"
#include "judge/instance.hpp"
#include "judge/judge.hpp"
#include "judge/problem.hpp"
#include "judge/store.hpp"
#include "judge/submission.hpp"

namespace pj::judge {

// Rebuilds a submission's report from its stored events, in seq order,
// telling an observer about each step as it is applied.
class EventFollower {
 public:
  EventFollower(SubmissionReport base, JudgeObserver* observer)
      : report_(std::move(base)), observer_(observer) {}

  // Takes rows read from the database (duplicates are fine).
  void add(std::vector<EventRow> rows);
  // Applies the events that follow on. If the final is there but an event
  // before it is missing and `nothing_pending()` says no more can come,
  // skips the gap. Returns true once the final has been applied.
  bool advance(const BlobLookup& lookup, const std::function<bool()>& nothing_pending);

  // Events up to here have been applied (read only later ones).
  std::int64_t applied() const { return next_seq_ - 1; }
  bool done() const { return done_; }
  const SubmissionReport& report() const { return report_; }

 private:
  void apply(const nlohmann::json& event, const BlobLookup& lookup);

  SubmissionReport report_;
  JudgeObserver* observer_;
  std::map<std::int64_t, nlohmann::json> pending_;
  std::int64_t next_seq_ = 0;
  bool done_ = false;
};

class SubmitSession {
 public:
  // shared: use the instance's running collector (ConfigError if none runs).
  // Otherwise: a collector for this run, on a temporary state directory
  // (started by judge()).
  SubmitSession(bool shared, const InstanceOptions& options);
  // Stops the private collector, removes its queue and state directory.
  ~SubmitSession();
  SubmitSession(const SubmitSession&) = delete;
  SubmitSession& operator=(const SubmitSession&) = delete;

  // Judges in a worker child. `observer` hears of each step once it is
  // stored. If the child dies before its verdict, the verdict is IE with the
  // reason. Returns when the final verdict is stored; throws Stopped if
  // SIGINT/SIGTERM arrives first.
  SubmissionReport judge(const Problem& problem, const Submission& submission,
                         const std::string& file_as_given, bool run_all,
                         const std::string& cache_dir, JudgeObserver* observer);

  struct Stopped {};

  const Instance& instance() const { return inst_; }
  const std::string& submission_id() const { return id_; }

 private:
  void start_private_collector();
  void wait_until_collector_ready();
  void remove_private_state();
  void watch_collector(bool worker_done);

  Instance inst_;
  bool shared_;
  std::optional<ChildProcess> collector_;
  bool collector_ready_ = false;
  int collector_starts_ = 0;
  double collector_missing_since_ = 0;
  std::string id_;
};

}  // namespace pj::judge
