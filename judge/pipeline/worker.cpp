#include "judge/pipeline/worker.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <deque>
#include <exception>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

#include "judge/engine/error.hpp"
#include "judge/engine/problem.hpp"
#include "judge/engine/run_slots.hpp"
#include "judge/engine/submission.hpp"
#include "judge/engine/workspace.hpp"
#include "judge/pipeline/child.hpp"
#include "judge/pipeline/emitter.hpp"
#include "judge/pipeline/judging_process.hpp"
#include "judge/pipeline/packages.hpp"
#include "judge/pipeline/store.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace pj::judge {
namespace {

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

// Judges the job and hands its final over; the sink's mark for it
// (EventSink::flush_through). `kept`: the judging process's workspace;
// null: the job's own.
std::uint64_t judge_job(const Job& job, const Instance& inst, const WorkerOptions& options,
                        EventSink& sink, std::optional<ResultStore>& store, KeptWorkspace* kept) {
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
  return events.final_handed_over(report);
}

// A judging process's answers on stdout (judging_process.hpp): "judged ID"
// at once, "done ID" from a thread of its own once that final is durable,
// while the next job is judged.
class Answers {
 public:
  explicit Answers(EventSink& sink) : sink_(sink), thread_([this] { run(); }) {}
  // Every verdict handed over is answered for first.
  ~Answers() {
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  Answers(const Answers&) = delete;
  Answers& operator=(const Answers&) = delete;

  void judged(const std::string& id, std::uint64_t mark) {
    say("judged " + id);
    {
      std::lock_guard lock(mutex_);
      waiting_.push_back({id, mark});
    }
    wake_.notify_all();
  }

  // Rethrows the failure to record an earlier verdict: nothing more can be.
  void check() {
    std::lock_guard lock(mutex_);
    if (failure_) std::rethrow_exception(failure_);
  }

 private:
  struct Waiting {
    std::string id;
    std::uint64_t mark;
  };

  void run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [&] { return closing_ || !waiting_.empty(); });
      if (waiting_.empty()) return;
      Waiting w = waiting_.front();
      waiting_.pop_front();
      lock.unlock();
      std::exception_ptr failure;
      try {
        sink_.flush_through(w.mark);
        say("done " + w.id);
      } catch (const std::exception& e) {
        failure = std::current_exception();
        say("failed " + w.id + " " + e.what());
      }
      lock.lock();
      if (failure && !failure_) failure_ = failure;
    }
  }

  void say(const std::string& line) {
    std::lock_guard lock(say_mutex_);
    std::cout << line << std::endl;
  }

  EventSink& sink_;
  std::mutex mutex_, say_mutex_;
  std::condition_variable wake_;
  std::deque<Waiting> waiting_;
  bool closing_ = false;
  std::exception_ptr failure_;
  std::thread thread_;  // last: started once everything above is ready
};

}  // namespace

void run_job(const Job& job, const Instance& inst, const WorkerOptions& options) {
  std::unique_ptr<EventSink> sink = open_transport(inst)->event_sink();
  std::optional<ResultStore> store;
  sink->flush_through(judge_job(job, inst, options, *sink, store, nullptr));
}

void serve_jobs(const Instance& inst, const WorkerOptions& options) {
  // One sink for every job: its writer thread and queue are set up once.
  std::unique_ptr<EventSink> sink = open_transport(inst)->event_sink();
  std::optional<ResultStore> store;  // opened once, when there is one
  KeptWorkspace workspace;
  Answers answers(*sink);
  std::string line;
  while (std::getline(std::cin, line)) {
    answers.check();
    std::size_t space = line.find(' ');
    std::string error;
    std::optional<Job> job;
    if (space != std::string::npos) job = Job::parse(line.substr(space + 1), geteuid(), error);
    if (!job) throw std::runtime_error("not a job for the judging process: " + error);
    WorkerOptions judging = options;
    judging.slot = std::stoi(line.substr(0, space));
    answers.judged(job->id, judge_job(*job, inst, judging, *sink, store, &workspace));
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
  // A judged job is acknowledged once its verdict is durable; if its
  // judging process died first, unless the verdict made it out, IE.
  JudgingProcess judge(judging_process_args(inst, options),
                       [&](const Job& job, const std::string& why) {
                         if (!why.empty()) {
                           log("submission " + job.id + ": " + why);
                           report_worker_crash(*sink, inst, job.id, why);
                         }
                         jobs->acknowledge(job);
                       });
  while (!stop && (options.max_jobs == 0 || done < options.max_jobs)) {
    // While a verdict is being made durable, the next job is taken at once
    // if there is one; else that verdict is settled first.
    std::optional<Job> job = jobs->take(judge.finishing() ? 0 : 0.25, log);
    if (!job) {
      if (judge.finishing()) {
        judge.finish();
        jobs->worker_state("idle");
      } else {
        take_over_expired(*jobs, *sink, inst, options.max_attempts, log);
      }
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
    ++done;
    if (why.empty()) continue;  // judged: acknowledged once settled
    if (was_cancelled) {
      report_final_instead(*sink, inst, job->id, Verdict::Cancelled,
                           "cancelled while it was judged (pipejudge cancel)");
      log("submission " + job->id + ": cancelled while it was judged");
    } else if (stop) {  // stopped with its judging child (Ctrl-C): handed back
      log("submission " + job->id + ": stopped while judging it (" + why + "); back in the queue");
      jobs->release(*job);
      break;
    } else {
      log("submission " + job->id + ": " + why);
      report_worker_crash(*sink, inst, job->id, why);
    }
    jobs->acknowledge(*job);
    jobs->worker_state("idle");
  }
  judge.finish();  // the verdicts judged are durable, their jobs acknowledged
}

}  // namespace pj::judge
