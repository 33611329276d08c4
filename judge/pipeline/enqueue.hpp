// Accepting a submission for judging: a new id, its job, its queued event.
// Used by `submit`, `enqueue` and the HTTP API alike.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "judge/engine/problem.hpp"
#include "judge/engine/submission.hpp"
#include "judge/pipeline/job.hpp"
#include "judge/pipeline/transport.hpp"

namespace pj::judge {

// Publishes the queued event (seq 0) of a new submission and returns its
// job; `file_as_given` is how the submitter named the file; `run`: what
// the request sets for its runs (JudgeOptions::run). Throws ConfigError for a job that cannot
// travel (paths too long).
Job accept_submission(EventSink& sink, const Problem& problem, const Submission& submission,
                      const std::string& file_as_given, bool run_all, const RunOptions& run = {});

// Accepts the submission and hands it to the workers through the job queue
// at `priority`. The submission's id; nullopt if `stop` came
// first (the queued event stays: the submission shows as queued).
std::optional<std::string> enqueue_submission(Transport& transport, const Problem& problem,
                                              const Submission& submission, bool run_all,
                                              Priority priority, const std::atomic<bool>& stop,
                                              const RunOptions& run = {});
// The same through a queue and a sink the caller keeps (a batch hands many
// submissions over, each queue and sink set up once).
std::optional<std::string> enqueue_submission(JobQueue& jobs, EventSink& sink,
                                              const Problem& problem, const Submission& submission,
                                              bool run_all, Priority priority,
                                              const std::atomic<bool>& stop,
                                              const RunOptions& run = {});

}  // namespace pj::judge
