// `pipejudge worker`: judges submissions from the instance's job queue,
// each in a watched child, reporting to its collector.
#include <unistd.h>

#include "judge/commands/cli.hpp"
#include "judge/commands/options.hpp"
#include "judge/engine/error.hpp"
#include "judge/pipeline/signals.hpp"
#include "judge/pipeline/worker.hpp"

namespace pj::judge {

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
                  "pin this run slot (0-999), which picks the run uids when root (60000+slot for "
                  "submissions, 61000+slot for validators); default: a free one per submission, "
                  "at most run_slots (the site configuration; default: the cores) at once")
      ->check(CLI::Range(0, 999));
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

}  // namespace pj::judge
