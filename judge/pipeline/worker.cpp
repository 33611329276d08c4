#include "judge/pipeline/worker.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "judge/engine/error.hpp"
#include "judge/engine/problem.hpp"
#include "judge/engine/run_slots.hpp"
#include "judge/engine/submission.hpp"
#include "judge/pipeline/child.hpp"
#include "judge/pipeline/emitter.hpp"
#include "judge/pipeline/store.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace pj::judge {
namespace {

// Events of one submission that have been reported so far, by seq. The
// transport's unstored ones first, then the database: an event leaves the
// transport only after it is committed, so this order misses nothing.
std::map<std::int64_t, json> reported_events(EventSink& sink, const Instance& inst,
                                             const std::string& id) {
  std::map<std::int64_t, json> found;
  for (const auto& message : sink.unstored(id)) {
    ParsedEvent p = parse_event(message, geteuid());
    if (p.event) found.emplace(p.event->seq, std::move(p.event->body));
  }
  std::error_code ec;
  if (fs::exists(inst.db_path, ec)) {
    ResultStore store = ResultStore::open_reader(inst.db_path);
    for (auto& row : store.events(id)) found.emplace(row.seq, std::move(row.body));
  }
  return found;
}

// Judges the job in a child process; empty if it finished, else what went wrong.
std::string judge_in_child(const Job& job, const Instance& inst, const WorkerOptions& options) {
  try {
    ChildProcess child = ChildProcess::spawn_self(judging_child_args(job, inst, options),
                                                  ChildProcess::Stdout::Null);
    child.wait();
    return child.succeeded() ? std::string() : "worker " + child.describe_exit();
  } catch (const std::exception& e) {
    return std::string("cannot start a worker process: ") + e.what();
  }
}

}  // namespace

void run_job(const Job& job, const Instance& inst, const WorkerOptions& options) {
  std::unique_ptr<EventSink> sink = open_transport(inst)->event_sink();
  SubmissionEmitter events = SubmissionEmitter::for_judge(*sink, job.id);
  events.compiling();
  SubmissionReport report;
  try {
    LanguageTable languages = LanguageTable::load_default();
    Problem problem = load_problem(job.problem_dir);
    Submission submission = load_submission(job.file, job.language, languages, job.entry);
    JudgeOptions judge;
    judge.run_all = job.all;
    judge.slot = std::max(options.slot, 0);
    judge.cache_dir = options.cache_dir;
    report = judge_submission(problem, submission, judge, &events);
  } catch (const ConfigError& e) {
    // Checked when it was submitted; changed since. Not the submission's fault.
    report.verdict = Verdict::IE;
    report.reason = e.file() + ": " + e.what();
  }
  events.final(report);
}

std::vector<std::string> judging_child_args(const Job& job, const Instance& inst,
                                            const WorkerOptions& options) {
  std::vector<std::string> args = {"worker",
                                   "--run-job",
                                   job.to_message(),
                                   "--instance",
                                   inst.name,
                                   "--state-dir",
                                   inst.state_dir.string(),
                                   "--db",
                                   inst.db_path.string(),
                                   "--queue",
                                   inst.queue,
                                   "--slot",
                                   std::to_string(options.slot)};
  if (!inst.sync) args.push_back("--no-sync");
  if (!options.cache_dir.empty()) {
    args.push_back("--cache-dir");
    args.push_back(options.cache_dir);
  }
  return args;
}

void report_worker_crash(EventSink& sink, const Instance& inst, const std::string& id,
                         const std::string& why) {
  std::map<std::int64_t, json> known = reported_events(sink, inst, id);
  SubmissionReport r;
  for (const auto& [seq, e] : known) {
    if (e.value("type", "") == event_type_name(EventType::Final)) return;  // it made it out
    try {
      apply_event(r, e, no_text);  // what it said of the submission and its tests
    } catch (const SchemaError&) {
      // stored events were checked; one that is not is left out
    }
  }
  for (const auto& t : r.tests) {
    r.time = std::max(r.time, t.time);
    r.memory = std::max(r.memory, t.memory);
  }
  r.verdict = Verdict::IE;
  r.reason = why;
  std::int64_t last_seq = known.empty() ? -1 : known.rbegin()->first;
  SubmissionEmitter::after(sink, id, last_seq).final(r);
}

void run_worker(const Instance& inst, const WorkerOptions& options, const std::atomic<bool>& stop,
                const Log& log) {
  make_state_dirs(inst);
  std::unique_ptr<Transport> transport = open_transport(inst);
  std::unique_ptr<JobQueue> jobs = transport->job_queue();
  std::unique_ptr<EventSink> sink = transport->event_sink();
  std::size_t done = 0;
  while (!stop && (options.max_jobs == 0 || done < options.max_jobs)) {
    std::optional<Job> job = jobs->take(0.25, log);
    if (!job) continue;
    std::optional<RunSlot> slot = options.slot >= 0 ? RunSlot::pin(options.slot, stop, log)
                                                    : RunSlot::take(max_run_slots(), stop, log);
    if (!slot) {  // stopped while waiting for a slot: the job goes back
      static const std::atomic<bool> never{false};
      jobs->put(*job, never);
      break;
    }
    WorkerOptions judging = options;
    judging.slot = slot->number();
    std::string why = judge_in_child(*job, inst, judging);
    if (!why.empty()) {
      log("submission " + job->id + ": " + why);
      report_worker_crash(*sink, inst, job->id, why);
    }
    jobs->acknowledge(*job);
    ++done;
  }
}

}  // namespace pj::judge
