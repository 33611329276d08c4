// `pipejudge collector`, `pipejudge worker` and `pipejudge enqueue`: the
// results collector daemon, judge workers, and handing them submissions.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "judge/cli.hpp"
#include "judge/collector.hpp"
#include "judge/error.hpp"
#include "judge/events.hpp"
#include "judge/mq.hpp"
#include "judge/problem.hpp"
#include "judge/sender.hpp"
#include "judge/signals.hpp"
#include "judge/submission.hpp"
#include "judge/worker.hpp"

namespace fs = std::filesystem;

namespace pj::judge {
namespace {

void log_line(const char* who, const std::string& message) {
  std::fprintf(stderr, "pipejudge %s[%d]: %s\n", who, static_cast<int>(getpid()), message.c_str());
  std::fflush(stderr);
}

void run_collector(const Instance& inst, const CollectorOptions& options, bool quiet) {
  const std::atomic<bool>& stop = stop_on_signals();
  auto warn = [](const std::string& m) { log_line("collector", m); };
  auto info = [quiet](const std::string& m) {
    if (!quiet) log_line("collector", m);
  };
  Collector collector(inst, options, warn);
  std::size_t drained = 0;
  try {
    drained = collector.drain_outbox();
  } catch (const StoreError&) {
    // logged; run() retries from the outbox
  }
  info("instance " + inst.name + ": queue " + inst.queue + " (" +
       std::to_string(collector.queue().pending()) + " waiting), database " +
       inst.db_path.string() + ", " + std::to_string(drained) + " events taken from the outbox");
  std::printf("ready %s %s\n", inst.queue.c_str(), inst.db_path.c_str());
  std::fflush(stdout);
  collector.run(stop);
  const CollectorStats& s = collector.stats();
  info("stopped: " + std::to_string(s.stored) + " events stored (" + std::to_string(s.from_outbox) +
       " from the outbox), " + std::to_string(s.duplicates) + " duplicates, " +
       std::to_string(s.rejected) + " rejected");
}

}  // namespace

void add_collector_command(CLI::App& app, int& status) {
  struct Options {
    InstanceOptions instance;
    bool quiet = false;
    double max_db_mib = 0;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "collector", "Receive verdict events and store them in the results database (foreground)");
  add_instance_options(cmd, opt->instance, true);
  cmd->add_flag("--quiet,-q", opt->quiet, "log only problems (rejected messages, failures)");
  cmd->add_option("--max-db-mib", opt->max_db_mib,
                  "cap the database file (a quota; when full, events wait in the outbox)");
  cmd->callback([opt, &status] {
    Instance inst = resolve_instance(opt->instance);
    CollectorOptions options;
    options.max_db_bytes = static_cast<std::uint64_t>(opt->max_db_mib * (1 << 20));
    run_collector(inst, options, opt->quiet);
    status = kExitAccepted;
  });
}

void add_worker_command(CLI::App& app, int& status) {
  struct Options {
    InstanceOptions instance;
    WorkerOptions worker;
    bool once = false;
    std::string run_job;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "worker",
      "Judge submissions from the instance's submission queue, reporting to its collector");
  add_instance_options(cmd, opt->instance, true);
  cmd->add_flag("--once", opt->once, "judge one submission, then exit");
  cmd->add_option("--max", opt->worker.max_jobs,
                  "exit after this many submissions (0: until SIGTERM)");
  cmd->add_option("--slot", opt->worker.slot,
                  "run slot (0-999): picks the run uids when root (60000+slot for submissions, "
                  "61000+slot for validators); give concurrent workers different slots")
      ->check(CLI::Range(0, 999))
      ->capture_default_str();
  cmd->add_option("--cache-dir", opt->worker.cache_dir, "compile cache directory");
  // The judging child a worker (or submit) starts for each submission.
  cmd->add_option("--run-job", opt->run_job, "judge this job (JSON) in this process")->group("");
  cmd->callback([opt, &status] {
    Instance inst = resolve_instance(opt->instance);
    if (!opt->run_job.empty()) {
      std::string error;
      auto job = Job::parse(opt->run_job, geteuid(), error);
      if (!job) throw ConfigError("--run-job", error);
      run_job(*job, inst, opt->worker);
      status = kExitAccepted;
      return;
    }
    if (opt->once) opt->worker.max_jobs = 1;
    const std::atomic<bool>& stop = stop_on_signals();
    run_worker(inst, opt->worker, stop, [](const std::string& m) { log_line("worker", m); });
    status = kExitAccepted;
  });
}

void add_enqueue_command(CLI::App& app, int& status) {
  struct Options {
    std::string problem, file, lang;
    bool all = false;
    InstanceOptions instance;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "enqueue", "Hand one submission to the instance's workers; print its id and return");
  cmd->add_option("--problem,-p", opt->problem, "problem package directory")->required();
  cmd->add_option("file", opt->file, "source file, or a directory of sources")->required();
  cmd->add_option("--lang,-l", opt->lang, "language id (default: by extension)");
  cmd->add_flag("--all,-a", opt->all, "run every test (default: stop at the first failure)");
  add_instance_options(cmd, opt->instance, true);
  cmd->callback([opt, &status] {
    LanguageTable languages = LanguageTable::load_default();
    Problem problem = load_problem(opt->problem);
    Submission submission = load_submission(opt->file, opt->lang, languages);
    require_toolchain(submission);
    Instance inst = resolve_instance(opt->instance);
    const std::atomic<bool>& stop = stop_on_signals();
    Job job{new_submission_id(), fs::absolute(problem.dir).string(),
            fs::absolute(submission.path).string(), submission.language->id, opt->all};
    std::string message = job.to_message();
    if (message.size() > static_cast<std::size_t>(MessageQueue::kMessageSize))
      throw ConfigError(job.file, "path too long for the submission queue");
    EventSender sender(inst);
    SubmissionEvents(sender, job.id, 0)
        .emit(EventType::Queued,
              queued_fields(problem.short_name, problem.name, job.problem_dir, job.file,
                            submission.language->id, submission.language->name,
                            problem.tests.size(), opt->all));
    MessageQueue jobs = MessageQueue::open_or_create(inst.jobs_queue());
    // A full queue waits for a worker to take one (back-pressure).
    while (jobs.send(message, 1.0) != MessageQueue::Status::Ok)
      if (stop) die_of_stop_signal();
    std::printf("%s\n", job.id.c_str());
    status = kExitAccepted;
  });
}

}  // namespace pj::judge
