// `pipejudge enqueue`: hands one submission to the instance's workers and
// prints its id.
#include <cstdio>

#include "judge/commands/cli.hpp"
#include "judge/commands/options.hpp"
#include "judge/pipeline/enqueue.hpp"
#include "judge/pipeline/signals.hpp"
#include "judge/pipeline/transport.hpp"

namespace pj::judge {

void add_enqueue_command(CLI::App& app, int& status) {
  struct Options {
    SubmissionOptions submission;
    InstanceOptions instance;
    std::string priority = "live";
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "enqueue", "Hand one submission to the instance's workers; print its id and return");
  add_submission_options(cmd, opt->submission);
  add_instance_options(cmd, opt->instance, true);
  cmd->add_option("--priority", opt->priority,
                  "live (a person waits for it), rejudge or batch: workers take live jobs "
                  "first, then rejudges, then batch; first come, first served within each")
      ->check(CLI::IsMember({"live", "rejudge", "batch"}))
      ->capture_default_str();
  cmd->callback([opt, &status] {
    HandedIn in = hand_in(opt->submission);
    Instance inst = resolve_instance(opt->instance);
    check_broker(inst);
    const std::atomic<bool>& stop = stop_on_signals();
    auto id = enqueue_submission(*open_transport(inst), in.problem, in.submission,
                                 opt->submission.all, *parse_priority(opt->priority), stop);
    if (!id) die_of_stop_signal();
    std::printf("%s\n", id->c_str());
    status = kExitAccepted;
  });
}

}  // namespace pj::judge
