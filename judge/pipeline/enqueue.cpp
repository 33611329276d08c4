#include "judge/pipeline/enqueue.hpp"

#include <filesystem>

#include "judge/engine/error.hpp"
#include "judge/engine/judge_submission.hpp"
#include "judge/pipeline/emitter.hpp"
#include "judge/report/events.hpp"

namespace fs = std::filesystem;

namespace pj::judge {

Job accept_submission(EventSink& sink, const Problem& problem, const Submission& submission,
                      const std::string& file_as_given, bool run_all, const RunOptions& run) {
  const Language& lang = *submission.language;
  // A directory's main source travels with the job, so that the judge takes
  // the one chosen here (by --entry, submissions.yaml or the language's rule).
  std::string entry =
      fs::is_directory(submission.path) ? submission.sources.front().filename().string() : "";
  Job job;
  job.id = new_submission_id();
  job.problem_dir = fs::absolute(problem.dir).string();
  job.file = fs::absolute(submission.path).string();
  job.language = lang.id;
  job.entry = entry;
  job.all = run_all;
  job.run = run;
  if (job.to_message().size() > kMaxJobBytes)
    throw ConfigError(job.file, "path too long for the submission queue");
  QueuedFacts q{problem.short_name,   problem.name, job.problem_dir,
                file_as_given,        lang.id,      lang.name,
                problem.tests.size(), run_all,      report_header(problem, submission).limits};
  SubmissionEmitter::for_new(sink, job.id).queued(q);
  return job;
}

std::optional<std::string> enqueue_submission(Transport& transport, const Problem& problem,
                                              const Submission& submission, bool run_all,
                                              Priority priority, const std::atomic<bool>& stop,
                                              const RunOptions& run) {
  std::unique_ptr<JobQueue> jobs = transport.job_queue();
  std::unique_ptr<EventSink> sink = transport.event_sink();
  return enqueue_submission(*jobs, *sink, problem, submission, run_all, priority, stop, run);
}

std::optional<std::string> enqueue_submission(JobQueue& jobs, EventSink& sink,
                                              const Problem& problem, const Submission& submission,
                                              bool run_all, Priority priority,
                                              const std::atomic<bool>& stop,
                                              const RunOptions& run) {
  Job job = accept_submission(sink, problem, submission, fs::absolute(submission.path).string(),
                              run_all, run);
  job.priority = priority;
  if (!jobs.put(job, stop)) return std::nullopt;
  return job.id;
}

}  // namespace pj::judge
