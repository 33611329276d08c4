// `pipejudge submit --problem DIR FILE`: judge one submission, print a live
// table (or --json), exit 0 for AC, 1 for any other verdict. The judge runs
// in a worker child reporting through a collector (see submit_session.hpp).
#include <cstdio>
#include <iostream>

#include "judge/commands/cli.hpp"
#include "judge/commands/instance_options.hpp"
#include "judge/commands/table.hpp"
#include "judge/engine/judge_submission.hpp"
#include "judge/engine/problem.hpp"
#include "judge/engine/submission.hpp"
#include "judge/pipeline/signals.hpp"
#include "judge/pipeline/submit_session.hpp"
#include "judge/report/report_json.hpp"

namespace pj::judge {

void add_submit_command(CLI::App& app, int& status) {
  struct Options {
    std::string problem, file, lang, entry, cache_dir;
    bool all = false, json = false, collector = false;
    InstanceOptions instance;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("submit", "Judge one submission on one problem");
  cmd->add_option("--problem,-p", opt->problem, "problem package directory")->required();
  cmd->add_option("file", opt->file, "source file, or a directory of sources")->required();
  cmd->add_option("--lang,-l", opt->lang, "language id (default: by extension)");
  cmd->add_option("--entry", opt->entry,
                  "a directory's main source (default: the language's rule, e.g. __main__.py)");
  cmd->add_flag("--all,-a", opt->all, "run every test (default: stop at the first failure)");
  cmd->add_flag("--json", opt->json, "print a JSON report instead of the table");
  cmd->add_option("--cache-dir", opt->cache_dir, "compile cache directory");
  auto* shared =
      cmd->add_flag("--collector", opt->collector,
                    "report through the instance's running collector and keep the "
                    "result in its database (default: a private collector for this run)");
  add_instance_options(cmd, opt->instance, false);
  for (const char* name : {"--instance", "--state-dir", "--db", "--queue"})
    cmd->get_option(name)->needs(shared);
  cmd->callback([opt, &status] {
    LanguageTable languages = LanguageTable::load_default();
    Problem problem = load_problem(opt->problem);
    Submission submission = load_submission(opt->file, opt->lang, languages, opt->entry);
    require_toolchain(submission);
    LiveTable table(stdout);
    std::optional<SubmissionReport> r;
    {
      SubmitSession session(opt->collector, opt->instance);
      if (!opt->json) print_header(stdout, report_header(problem, submission), opt->file);
      std::fflush(stdout);
      try {
        r = session.judge(problem, submission, opt->file, opt->all, opt->cache_dir,
                          opt->json ? nullptr : &table);
      } catch (const SubmitSession::Stopped&) {
      }
    }  // the session's collector and state go here, before we print or die
    if (!r) die_of_stop_signal();
    if (opt->json) {
      std::cout << report_json(*r) << std::endl;
    } else {
      print_summary(stdout, *r);
    }
    status = r->accepted() ? kExitAccepted : kExitRejected;
  });
}

}  // namespace pj::judge
