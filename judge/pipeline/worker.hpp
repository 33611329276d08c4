// Judge workers: each submission is judged in a child process that reports
// every step as events; the worker (or `submit`) watches it, and if it dies
// before its final verdict, reports the verdict itself: IE with the reason.
// A worker keeps one judging process for job after job (its sandbox slots
// are set up once); `submit` forks one for its one job.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "judge/engine/verdict.hpp"
#include "judge/pipeline/instance.hpp"
#include "judge/pipeline/job.hpp"
#include "judge/pipeline/transport.hpp"

namespace pj::judge {

struct WorkerOptions {
  std::size_t max_jobs = 0;  // 0: until stopped
  // Run slot (run uid when root): pinned by --slot; -1: a free one per job
  // (RunSlot::take). The judging child is always given its parent's.
  int slot = -1;
  std::string cache_dir;  // compile cache ("": the default)
  // Attempts at a job whose workers all died before it goes to the dead letters.
  int max_attempts = 3;
};

// In `submit`'s judging child: judges the job, emitting compiling, compiled, one
// event per test and final (the submitter emitted queued). Throws only if
// events cannot be recorded (the outbox cannot be written).
void run_job(const Job& job, const Instance& inst, const WorkerOptions& options);

// In a worker's judging process (`worker --judge-jobs`): judges the jobs
// its worker sends on stdin, a line "SLOT JOB" each, answering on stdout as
// judging_process.hpp says; returns at the end of its input, every verdict
// answered for.
void serve_jobs(const Instance& inst, const WorkerOptions& options);

// The command line (after the program name) of a worker's judging process.
std::vector<std::string> judging_process_args(const Instance& inst, const WorkerOptions& options);

// After the judging child of submission `id` died: unless its final verdict
// made it out, reports IE with `why` as the reason (and what the child had
// reported of its tests), as the next event of the submission.
void report_worker_crash(EventSink& sink, const Instance& inst, const std::string& id,
                         const std::string& why);

// Whether submission `id`'s final verdict made it out (to the outbox or the database).
bool final_was_reported(EventSink& sink, const Instance& inst, const std::string& id);

// The final verdict of a submission that is not judged to its end (IE,
// Cancelled), with what was reported of it so far, unless a final made it
// out already. Returns false in that case.
bool report_final_instead(EventSink& sink, const Instance& inst, const std::string& id,
                          Verdict verdict, const std::string& why,
                          std::optional<int> attempts = std::nullopt);

// `pipejudge worker`: takes jobs from the job queue until `stop` is set or
// `max_jobs` are done, judging each in a watched child.
void run_worker(const Instance& inst, const WorkerOptions& options, const std::atomic<bool>& stop,
                const Log& log);

}  // namespace pj::judge
