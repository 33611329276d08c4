// `pipejudge cancel ID`: takes a queued submission off the queue, or has
// its worker stop it; its verdict is CANCELLED.
#include <cstdio>

#include "judge/commands/cli.hpp"
#include "judge/commands/options.hpp"
#include "judge/engine/error.hpp"
#include "judge/pipeline/cancel.hpp"
#include "judge/pipeline/transport.hpp"

namespace pj::judge {

void add_cancel_command(CLI::App& app, int& status) {
  struct Options {
    InstanceOptions instance;
    std::string id;
    double wait = 10;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "cancel", "Cancel a submission: off the queue if it waits, stopped if it is being judged");
  cmd->add_option("id", opt->id, "submission id")->required();
  cmd->add_option("--wait", opt->wait,
                  "seconds to wait for the worker of a running submission to stop it")
      ->capture_default_str();
  add_instance_options(cmd, opt->instance, true);
  cmd->callback([opt, &status] {
    Instance inst = resolve_instance(opt->instance);
    check_broker(inst);
    CancelResult r = cancel_submission(inst, opt->id, opt->wait);
    using O = CancelResult::Outcome;
    switch (r.outcome) {
      case O::Removed:
        std::printf("%s: cancelled (it was queued)\n", opt->id.c_str());
        break;
      case O::Stopped:
        std::printf("%s: cancelled (its worker stopped judging it)\n", opt->id.c_str());
        break;
      case O::Asked:
        std::printf("%s: its worker is asked to stop judging it\n", opt->id.c_str());
        break;
      case O::Judged:
        std::printf("%s: not cancelled: judged already (%s)\n", opt->id.c_str(), r.verdict.c_str());
        status = kExitRejected;
        return;
      case O::Unknown:
        throw ConfigError(opt->id, "no such submission in instance " + inst.name);
    }
    status = kExitAccepted;
  });
}

}  // namespace pj::judge
