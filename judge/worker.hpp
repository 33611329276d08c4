// Judge workers: each submission is judged in a child process that reports
// every step as events; the worker (or `submit`) watches it, and if it dies
// before its final verdict, reports the verdict itself: IE with the reason.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "judge/instance.hpp"
#include "judge/judge.hpp"
#include "judge/sender.hpp"

namespace pj::judge {

// One submission to judge, as it travels on the submission queue
// ("/pipejudge-<instance>-submissions"): {"v", "id", "problem", "file",
// "lang", "all", "pid", "uid"}.
struct Job {
  std::string id;
  std::string problem_dir;  // absolute
  std::string file;         // absolute
  std::string language;     // language id
  bool all = false;

  std::string to_message() const;
  // nullopt (and why in `error`) for a malformed job or one from another uid.
  static std::optional<Job> parse(std::string_view raw, std::int64_t expected_uid,
                                  std::string& error);
};

struct WorkerOptions {
  std::size_t max_jobs = 0;  // 0: until stopped
  int slot = 0;              // run slot (run uid when root): one per concurrent worker
  std::string cache_dir;     // compile cache ("": the default)
};

// In the judging child: judges the job, emitting compiling (seq 1), compiled,
// one event per test and final. The submitter sent queued (seq 0). Throws
// only if events cannot be recorded (the outbox cannot be written).
void run_job(const Job& job, const Instance& inst, const WorkerOptions& options);

// The command line (after the program name) that runs `job` in a child.
std::vector<std::string> judging_child_args(const Job& job, const Instance& inst,
                                            const WorkerOptions& options);

// After the judging child of submission `id` died: unless its final verdict
// made it out, reports IE with `why` as the reason (and what the child had
// reported of its tests), as the next event of the submission.
void report_worker_crash(EventSender& sender, const std::string& id, const std::string& why);

// `pipejudge worker`: takes jobs from the submission queue until `stop` is
// set or `max_jobs` are done, judging each in a watched child.
void run_worker(const Instance& inst, const WorkerOptions& options, const std::atomic<bool>& stop,
                const std::function<void(const std::string&)>& log);

}  // namespace pj::judge
