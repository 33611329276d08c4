// `pipejudge collector`: the results collector daemon, in the foreground.
#include <cstdio>

#include "judge/commands/cli.hpp"
#include "judge/commands/options.hpp"
#include "judge/pipeline/collector.hpp"
#include "judge/pipeline/signals.hpp"
#include "judge/pipeline/transport.hpp"

namespace pj::judge {
namespace {

void run_collector(const Instance& inst, const CollectorOptions& options, bool quiet) {
  const std::atomic<bool>& stop = stop_on_signals();
  auto warn = [](const std::string& m) { log_line("collector", m); };
  auto info = [quiet](const std::string& m) {
    if (!quiet) log_line("collector", m);
  };
  Collector collector(inst, options, warn);
  std::size_t drained = 0;
  try {
    drained = collector.recover();
  } catch (const StoreError&) {
    // logged; run() recovers them again
  }
  info("instance " + inst.name + ": " + collector.describe_stream() + ", database " +
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
    std::string store_notices;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "collector", "Receive verdict events and store them in the results database (foreground)");
  add_instance_options(cmd, opt->instance, true);
  cmd->add_flag("--quiet,-q", opt->quiet, "log only problems (rejected messages, failures)");
  cmd->add_option("--max-db-mib", opt->max_db_mib,
                  "cap the database file (a quota; when full, events wait in the outbox)");
  // `submit`'s private collector: tell of stores through this FIFO.
  cmd->add_option("--store-notices", opt->store_notices, "tell of each commit through this FIFO")
      ->group("");
  cmd->callback([opt, &status] {
    Instance inst = resolve_instance(opt->instance);
    check_broker(inst);
    CollectorOptions options;
    options.store_notices = opt->store_notices;
    options.max_db_bytes = static_cast<std::uint64_t>(opt->max_db_mib * (1 << 20));
    run_collector(inst, options, opt->quiet);
    status = kExitAccepted;
  });
}

}  // namespace pj::judge
