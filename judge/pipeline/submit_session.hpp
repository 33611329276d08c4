// How `submit` judges one submission without a daemon: the judge runs in a
// worker child process that reports through the event queue to a collector
// — its own, private to the run, or (--collector) the instance's running
// one — and the live table and the report are read back from the results
// database, so what `submit` shows is what was stored.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "judge/engine/judge_submission.hpp"
#include "judge/engine/problem.hpp"
#include "judge/engine/submission.hpp"
#include "judge/pipeline/child.hpp"
#include "judge/pipeline/instance.hpp"
#include "judge/pipeline/transport.hpp"

namespace pj::judge {

class SubmitSession {
 public:
  // shared: use the instance's running collector (ConfigError if none runs).
  // Otherwise: a collector for this run, on a temporary state directory,
  // started now (it opens its database while the caller reads the package).
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
  std::filesystem::path store_notices_fifo() const;
  void start_private_collector();
  void wait_until_collector_ready();
  void remove_private_state();
  void watch_collector(bool worker_done);

  Instance inst_;
  std::unique_ptr<Transport> transport_;
  bool shared_;
  std::optional<ChildProcess> collector_;
  bool collector_ready_ = false;
  int collector_starts_ = 0;
  double collector_missing_since_ = 0;
  std::string id_;
};

}  // namespace pj::judge
