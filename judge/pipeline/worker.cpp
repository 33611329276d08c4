#include "judge/pipeline/worker.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <system_error>

#include "judge/engine/error.hpp"
#include "judge/engine/problem.hpp"
#include "judge/engine/run_slots.hpp"
#include "judge/engine/submission.hpp"
#include "judge/engine/workspace.hpp"
#include "judge/pipeline/child.hpp"
#include "judge/pipeline/emitter.hpp"
#include "judge/pipeline/packages.hpp"
#include "judge/pipeline/store.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace pj::judge {
namespace {

// How often a worker looks whether the job it judges was cancelled.
constexpr double kCancelPoll = 0.05;

// Events of one submission that have been reported so far, by seq. The
// transport's unstored ones first, then the database: an event leaves the
// transport only after it is committed, so this order misses nothing.
// `store`: the results database once opened (kept by a caller that asks
// again and again, a judging process).
std::map<std::int64_t, json> reported_events(EventSink& sink, const Instance& inst,
                                             const std::string& id,
                                             std::optional<ResultStore>& store) {
  std::map<std::int64_t, json> found;
  for (const auto& message : sink.unstored(id)) {
    ParsedEvent p = parse_event(message, geteuid());
    if (p.event) found.emplace(p.event->seq, std::move(p.event->body));
  }
  std::error_code ec;
  if (!store && fs::exists(inst.db_path, ec)) store.emplace(ResultStore::open_reader(inst.db_path));
  if (store)
    for (auto& row : store->events(id)) found.emplace(row.seq, std::move(row.body));
  return found;
}

std::map<std::int64_t, json> reported_events(EventSink& sink, const Instance& inst,
                                             const std::string& id) {
  std::optional<ResultStore> store;
  return reported_events(sink, inst, id, store);
}

// With a broker, also what the collector stored (this machine may have no
// results database).
std::int64_t last_reported_seq(EventSink& sink, const Instance& inst, const std::string& id,
                               std::optional<ResultStore>& store) {
  auto known = reported_events(sink, inst, id, store);
  std::int64_t last = known.empty() ? 0 : known.rbegin()->first;
  if (auto stored = sink.stored(id)) last = std::max(last, stored->last_seq);
  return last;
}

std::string joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

// Jobs whose worker died judging them: done if their verdict made it out;
// else judged again, up to `max_attempts` times; then dead letters, their
// verdict IE naming every attempt.
void take_over_expired(JobQueue& jobs, EventSink& sink, const Instance& inst, int max_attempts,
                       const Log& log) {
  for (const Job& job : jobs.expired(log)) {
    if (final_was_reported(sink, inst, job.id)) {
      jobs.acknowledge(job);
    } else if (job.attempt >= max_attempts) {
      std::string why =
          "judging it failed " + std::to_string(job.attempt) + " times: " + joined(job.failures);
      report_final_instead(sink, inst, job.id, Verdict::IE, why, job.attempt);
      jobs.bury(job);
      log("submission " + job.id + ": to the dead letters, " + why);
    } else {
      jobs.requeue(job);
      log("submission " + job.id + ": " + job.failures.back() + "; back in the queue");
    }
  }
}

// A worker's judging process: one child that judges its jobs one after the
// other, so that its sandbox slots, once set up, serve every job. A job goes
// to it as a line "SLOT JOB" on its stdin; it answers "done ID" on its
// stdout. Started again for the next job after it died or was stopped.
class JudgingProcess {
 public:
  JudgingProcess(const Instance& inst, const WorkerOptions& options)
      : args_(judging_process_args(inst, options)) {}
  JudgingProcess(const JudgingProcess&) = delete;
  JudgingProcess& operator=(const JudgingProcess&) = delete;

  ~JudgingProcess() {
    if (!child_) return;
    child_->close_stdin();  // it exits at the end of its input, its slots closed
    if (!child_->exited_within(5)) child_->stop(SIGKILL, 1);
  }

  // Starts it if it is not running; its pid, or 0 if it cannot be started
  // (`error` says why).
  pid_t ensure_started(std::string& error) {
    if (child_ && child_->running()) return child_->pid();
    try {
      child_.emplace(ChildProcess::spawn_self(args_, ChildProcess::Stdout::Pipe, true));
      return child_->pid();
    } catch (const std::exception& e) {
      child_.reset();
      error = std::string("cannot start a worker process: ") + e.what();
      return 0;
    }
  }

  // Judges the job; empty if it finished, else what went wrong. `started`
  // is called once the job is handed over (the judging starts while it
  // runs); `cancelled` is asked while it judges; true stops the process
  // (and makes `was_cancelled` true).
  std::string judge(const Job& job, int slot, const std::function<void()>& started,
                    const std::function<bool()>& cancelled, bool& was_cancelled) {
    std::string error;
    if (!ensure_started(error)) return error;
    if (!child_->write_line(std::to_string(slot) + " " + job.to_message())) return lost();
    started();
    for (;;) {
      if (child_->line_within(kCancelPoll)) {
        std::optional<std::string> line = child_->read_line();
        if (!line) return lost();
        if (*line == "done " + job.id) return {};
        continue;  // not an answer: nothing else is written there, but never mind
      }
      if (cancelled()) {
        was_cancelled = true;
        child_->stop(SIGTERM, 5);  // its sandboxed programs die with it
        child_.reset();
        return "cancelled";
      }
    }
  }

 private:
  // It died (or its pipes broke) while judging: how, and the next job starts it anew.
  std::string lost() {
    child_->stop(SIGKILL, 1);
    std::string why = "worker " + child_->describe_exit();
    child_.reset();
    return why;
  }

  std::vector<std::string> args_;
  std::optional<ChildProcess> child_;
};

// A judging process's workspace, kept from job to job while its slot stays
// the same (JudgeOptions::workspace).
class KeptWorkspace {
 public:
  Workspace& for_slot(int slot) {
    if (!workspace_ || slot_ != slot) {
      workspace_.reset();
      workspace_.emplace(RunIdentity::for_slot(slot));
      slot_ = slot;
    }
    return *workspace_;
  }

 private:
  int slot_ = -1;
  std::optional<Workspace> workspace_;
};

// `kept`: the judging process's workspace; null: the job's own.
void judge_job(const Job& job, const Instance& inst, const WorkerOptions& options, EventSink& sink,
               std::optional<ResultStore>& store, KeptWorkspace* kept) {
  // A job from the queue: after everything reported so far, the queued
  // event and what an earlier attempt said (its worker died, or it was
  // handed back when stopped). `submit`'s own (attempt 0): after queued.
  SubmissionEmitter events =
      job.attempt > 0
          ? SubmissionEmitter::after(sink, job.id, last_reported_seq(sink, inst, job.id, store))
          : SubmissionEmitter::for_judge(sink, job.id);
  if (job.priority != Priority::Live) events.let_steps_wait();
  events.compiling(std::max(job.attempt, 1));
  SubmissionReport report;
  try {
    // With a broker: the package and the submission as they were when it
    // was submitted, fetched by hash unless this machine has them.
    auto log = [](const std::string& m) {
      std::fprintf(stderr, "pipejudge worker: %s\n", m.c_str());
    };
    std::string problem_dir = job.problem_dir, file = job.file;
    if (inst.broker && !job.problem_hash.empty())
      problem_dir = fetch_tree(inst, job.problem_hash, log).string();
    if (inst.broker && !job.source_hash.empty())
      file = fetch_tree(inst, job.source_hash, log).string();
    LanguageTable languages = LanguageTable::load_default();
    Problem problem = load_problem(problem_dir);
    Submission submission = load_submission(file, job.language, languages, job.entry);
    keep_thread_on_slot_core(options.slot);
    JudgeOptions judge;
    judge.run_all = job.all;
    judge.run = job.run;
    judge.slot = std::max(options.slot, 0);
    judge.cache_dir = options.cache_dir;
    try {
      if (kept) judge.workspace = &kept->for_slot(judge.slot);
    } catch (const std::system_error&) {
      judge.workspace = nullptr;  // the submission's own then, whose failure is an IE
    }
    report = judge_submission(problem, submission, judge, &events);
  } catch (const ConfigError& e) {
    // Checked when it was submitted; changed since. Not the submission's fault.
    report.verdict = Verdict::IE;
    report.reason = e.file() + ": " + e.what();
  }
  events.final(report);  // durable when it returns
}

}  // namespace

void run_job(const Job& job, const Instance& inst, const WorkerOptions& options) {
  std::unique_ptr<EventSink> sink = open_transport(inst)->event_sink();
  std::optional<ResultStore> store;
  judge_job(job, inst, options, *sink, store, nullptr);
}

void serve_jobs(const Instance& inst, const WorkerOptions& options) {
  // One sink for every job: its writer thread and queue are set up once.
  std::unique_ptr<EventSink> sink = open_transport(inst)->event_sink();
  std::optional<ResultStore> store;  // opened once, when there is one
  KeptWorkspace workspace;
  std::string line;
  while (std::getline(std::cin, line)) {
    std::size_t space = line.find(' ');
    std::string error;
    std::optional<Job> job;
    if (space != std::string::npos) job = Job::parse(line.substr(space + 1), geteuid(), error);
    if (!job) throw std::runtime_error("not a job for the judging process: " + error);
    WorkerOptions judging = options;
    judging.slot = std::stoi(line.substr(0, space));
    judge_job(*job, inst, judging, *sink, store, &workspace);
    std::cout << "done " << job->id << std::endl;
  }
}

std::vector<std::string> judging_process_args(const Instance& inst, const WorkerOptions& options) {
  std::vector<std::string> args = {"worker", "--judge-jobs"};
  for (auto& a : instance_args(inst)) args.push_back(std::move(a));
  if (!options.cache_dir.empty()) {
    args.push_back("--cache-dir");
    args.push_back(options.cache_dir);
  }
  return args;
}

bool final_was_reported(EventSink& sink, const Instance& inst, const std::string& id) {
  for (const auto& [seq, e] : reported_events(sink, inst, id))
    if (e.value("type", "") == event_type_name(EventType::Final)) return true;
  auto stored = sink.stored(id);
  return stored && stored->final;
}

void report_worker_crash(EventSink& sink, const Instance& inst, const std::string& id,
                         const std::string& why) {
  report_final_instead(sink, inst, id, Verdict::IE, why);
}

bool report_final_instead(EventSink& sink, const Instance& inst, const std::string& id,
                          Verdict verdict, const std::string& why, std::optional<int> attempts) {
  std::map<std::int64_t, json> known = reported_events(sink, inst, id);
  std::optional<EventSink::Stored> stored = sink.stored(id);
  if (stored && stored->final) return false;  // it made it out (stored elsewhere)
  SubmissionReport r;
  for (const auto& [seq, e] : known) {
    if (e.value("type", "") == event_type_name(EventType::Final)) return false;  // it made it out
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
  r.verdict = verdict;
  r.reason = why;
  std::int64_t last_seq = known.empty() ? -1 : known.rbegin()->first;
  if (stored) last_seq = std::max(last_seq, stored->last_seq);
  SubmissionEmitter::after(sink, id, last_seq).final(r, attempts);
  return true;
}

void run_worker(const Instance& inst, const WorkerOptions& options, const std::atomic<bool>& stop,
                const Log& log) {
  make_state_dirs(inst);
  std::unique_ptr<Transport> transport = open_transport(inst);
  std::unique_ptr<JobQueue> jobs = transport->job_queue();
  std::unique_ptr<EventSink> sink = transport->event_sink();
  std::size_t done = 0;
  take_over_expired(*jobs, *sink, inst, options.max_attempts, log);
  jobs->worker_state("idle");
  std::signal(SIGPIPE, SIG_IGN);  // a judging process that died: EPIPE, not death
  JudgingProcess judge(inst, options);
  while (!stop && (options.max_jobs == 0 || done < options.max_jobs)) {
    std::optional<Job> job = jobs->take(0.25, log);
    if (!job) {
      take_over_expired(*jobs, *sink, inst, options.max_attempts, log);
      continue;
    }
    jobs->worker_state("waiting for a run slot for " + job->id);
    std::optional<RunSlot> slot = options.slot >= 0 ? RunSlot::pin(options.slot, stop, log)
                                                    : RunSlot::take(max_run_slots(), stop, log);
    if (!slot) {  // stopped while waiting for a slot: the job goes back
      jobs->release(*job);
      break;
    }
    WorkerOptions judging = options;
    judging.slot = slot->number();
    std::string start_error;
    pid_t judging_pid = judge.ensure_started(start_error);
    jobs->worker_state("judging " + job->id + " (attempt " + std::to_string(job->attempt) +
                       ", run slot " + std::to_string(judging.slot) + ", judging process " +
                       std::to_string(judging_pid) + ")");
    bool was_cancelled = false;
    // The attempt is counted (durably: an fsync) while the judging process
    // starts on the job, not before.
    std::string why = judge.judge(
        *job, judging.slot, [&] { jobs->judging(*job); }, [&] { return jobs->cancelled(*job); },
        was_cancelled);
    if (was_cancelled) {
      report_final_instead(*sink, inst, job->id, Verdict::Cancelled,
                           "cancelled while it was judged (pipejudge cancel)");
      log("submission " + job->id + ": cancelled while it was judged");
      jobs->acknowledge(*job);
      ++done;
      jobs->worker_state("idle");
      continue;
    }
    if (!why.empty() && stop) {  // stopped with its judging child (Ctrl-C): handed back
      log("submission " + job->id + ": stopped while judging it (" + why + "); back in the queue");
      jobs->release(*job);
      break;
    }
    if (!why.empty()) {
      log("submission " + job->id + ": " + why);
      report_worker_crash(*sink, inst, job->id, why);
    }
    jobs->acknowledge(*job);
    ++done;
    jobs->worker_state("idle");
  }
}

}  // namespace pj::judge
