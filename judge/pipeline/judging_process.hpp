// A worker's judging process: one child that judges its jobs one after the
// other, so that its sandbox slots, once set up, serve every job. A job goes
// to it as a line "SLOT JOB" on its stdin; it answers on its stdout
//   judged ID        the job's final verdict is handed over: send the next job
//   done ID          that verdict is durable: the job may be acknowledged
//   failed ID WHY    it could not be made durable (the process then ends)
// so the next job is judged while the last verdict is being made durable.
// Started again for the next job after it died or was stopped.
#pragma once

#include <sys/types.h>

#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "judge/pipeline/child.hpp"
#include "judge/pipeline/job.hpp"

namespace pj::judge {

class JudgingProcess {
 public:
  // Called once for each judged job, when its verdict is durable (`why`
  // empty) or may not be (`why` says what happened to the process).
  using Settle = std::function<void(const Job& job, const std::string& why)>;

  JudgingProcess(std::vector<std::string> args, Settle settle);
  JudgingProcess(const JudgingProcess&) = delete;
  JudgingProcess& operator=(const JudgingProcess&) = delete;
  // Ends its input (it exits once its verdicts are durable, its slots
  // closed) and settles what it still had.
  ~JudgingProcess();

  // Starts it if it is not running; its pid, or 0 if it cannot be started
  // (`error` says why).
  pid_t ensure_started(std::string& error);

  // Judges the job; empty once it is judged (its verdict handed over, to be
  // settled), else what went wrong. `started` is called once the job is
  // handed over; `cancelled` is asked while it judges: true stops the
  // process (and makes `was_cancelled` true).
  std::string judge(const Job& job, int slot, const std::function<void()>& started,
                    const std::function<bool()>& cancelled, bool& was_cancelled);

  // Judged jobs whose verdicts are not yet settled.
  bool finishing() const { return !finishing_.empty(); }
  // Waits until every judged job is settled.
  void finish();

 private:
  // A "done"/"failed" answer for a finishing job settles it; true if it was one.
  bool settled_by(const std::string& line);
  // Before `job` is cancelled: waits for the finishing jobs' answers; true
  // if `job` itself was judged meanwhile.
  bool judged_while_finishing(const Job& job);
  // It died, or its pipes broke: the jobs it had are settled with how, and
  // the next job starts it anew. How, in words.
  std::string lost();
  // Stops it with `sig` (then SIGKILL), as lost().
  std::string stop(int sig);

  std::vector<std::string> args_;
  Settle settle_;
  std::optional<ChildProcess> child_;
  std::deque<Job> finishing_;
};

}  // namespace pj::judge
