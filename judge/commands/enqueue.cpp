// `pipejudge enqueue`: hands one submission to the instance's workers and
// prints its id.
#include <cstdio>

#include "judge/commands/cli.hpp"
#include "judge/commands/instance_options.hpp"
#include "judge/engine/languages.hpp"
#include "judge/engine/problem.hpp"
#include "judge/engine/submission.hpp"
#include "judge/pipeline/enqueue.hpp"
#include "judge/pipeline/signals.hpp"

namespace pj::judge {

void add_enqueue_command(CLI::App& app, int& status) {
  struct Options {
    std::string problem, file, lang, entry;
    bool all = false;
    InstanceOptions instance;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "enqueue", "Hand one submission to the instance's workers; print its id and return");
  cmd->add_option("--problem,-p", opt->problem, "problem package directory")->required();
  cmd->add_option("file", opt->file, "source file, or a directory of sources")->required();
  cmd->add_option("--lang,-l", opt->lang, "language id (default: by extension)");
  cmd->add_option("--entry", opt->entry,
                  "a directory's main source (default: the language's rule, e.g. __main__.py)");
  cmd->add_flag("--all,-a", opt->all, "run every test (default: stop at the first failure)");
  add_instance_options(cmd, opt->instance, true);
  cmd->callback([opt, &status] {
    LanguageTable languages = LanguageTable::load_default();
    Problem problem = load_problem(opt->problem);
    Submission submission = load_submission(opt->file, opt->lang, languages, opt->entry);
    require_toolchain(submission);
    Instance inst = resolve_instance(opt->instance);
    const std::atomic<bool>& stop = stop_on_signals();
    auto id = enqueue_submission(*open_transport(inst), problem, submission, opt->all, stop);
    if (!id) die_of_stop_signal();
    std::printf("%s\n", id->c_str());
    status = kExitAccepted;
  });
}

}  // namespace pj::judge
