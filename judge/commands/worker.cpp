// `pipejudge worker`: judges submissions from the instance's job queue,
// each in a watched child, reporting to its collector.
#include <unistd.h>

#include "judge/commands/cli.hpp"
#include "judge/commands/options.hpp"
#include "judge/engine/error.hpp"
#include "judge/engine/run_slots.hpp"
#include "judge/pipeline/signals.hpp"
#include "judge/pipeline/transport.hpp"
#include "judge/pipeline/worker.hpp"
#include "judge/pipeline/worker_pool.hpp"

namespace pj::judge {

void add_worker_command(CLI::App& app, int& status) {
  struct Options {
    InstanceOptions instance;
    WorkerOptions worker;
    bool once = false;
    int jobs = 0;
    bool judge_jobs = false;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "worker",
      "Judge submissions from the instance's submission queue, reporting to its collector");
  add_instance_options(cmd, opt->instance, true);
  cmd->add_option("--jobs", opt->jobs,
                  "judge this many submissions at once, each in a worker process of its own "
                  "under this one, which starts again any that dies (default: the number of "
                  "cores; 1: this process judges)")
      ->check(CLI::Range(1, 1000));
  cmd->add_flag("--once", opt->once, "judge one submission, then exit");
  cmd->add_option("--max", opt->worker.max_jobs,
                  "exit after this many submissions (0: until SIGTERM)");
  cmd->add_option("--slot", opt->worker.slot,
                  "pin this run slot (below run_slots), which picks the core its runs are "
                  "confined to and, when root, the run uids (60000+slot for submissions, "
                  "61000+slot for validators); default: a free one per submission, at most "
                  "run_slots (the site configuration; default and at most: the cores) at once")
      ->check(CLI::Range(0, 999));
  cmd->add_option("--cache-dir", opt->worker.cache_dir, "compile cache directory");
  cmd->add_option("--max-attempts", opt->worker.max_attempts,
                  "judge a submission whose workers died at most this many times, then give it "
                  "up as a dead letter (IE)")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  // A worker's judging process: jobs on stdin, one per line.
  cmd->add_flag("--judge-jobs", opt->judge_jobs, "judge the jobs given on stdin")->group("");
  add_insecure_option(cmd);
  cmd->callback([opt, &status] {
    Instance inst = resolve_instance(opt->instance);
    if (opt->judge_jobs) {
      serve_jobs(inst, opt->worker);
      status = kExitAccepted;
      return;
    }
    if (opt->worker.slot >= max_run_slots())
      throw ConfigError("--slot", "this machine has " + std::to_string(max_run_slots()) +
                                      " run slots (0 to " + std::to_string(max_run_slots() - 1) +
                                      "), one per core it judges on");
    require_isolation_or_insecure();
    check_broker(inst);
    if (opt->once) opt->worker.max_jobs = 1;
    bool single = opt->once || opt->worker.max_jobs > 0 || opt->worker.slot >= 0;
    if (single && opt->jobs > 1)
      throw ConfigError("--jobs", "--once, --max and --slot are for one worker (--jobs 1)");
    int jobs = opt->jobs > 0 ? opt->jobs : single ? 1 : max_run_slots();
    const std::atomic<bool>& stop = stop_on_signals();
    Log log = [](const std::string& m) { log_line("worker", m); };
    if (jobs == 1) {
      run_worker(inst, opt->worker, stop, log);
    } else {
      run_worker_pool(inst, opt->worker, jobs, stop, log);
    }
    status = kExitAccepted;
  });
}

}  // namespace pj::judge
