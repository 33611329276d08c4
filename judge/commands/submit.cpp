// `pipejudge submit --problem DIR FILE`: judge one submission, print a live
// table (or --json), exit 0 for AC, 1 for any other verdict. The judge runs
// in a worker child reporting through a collector (see submit_session.hpp).
#include <cstdio>
#include <iostream>

#include "judge/commands/cli.hpp"
#include "judge/commands/options.hpp"
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
    SubmissionOptions submission;
    std::string cache_dir;
    bool json = false, collector = false;
    InstanceOptions instance;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("submit", "Judge one submission on one problem");
  add_submission_options(cmd, opt->submission);
  cmd->add_flag("--json", opt->json, "print a JSON report instead of the table");
  cmd->add_option("--cache-dir", opt->cache_dir, "compile cache directory");
  auto* shared =
      cmd->add_flag("--collector", opt->collector,
                    "report through the instance's running collector and keep the "
                    "result in its database (default: a private collector for this run)");
  add_instance_options(cmd, opt->instance, false);
  for (const char* name : {"--instance", "--state-dir", "--db", "--queue"})
    cmd->get_option(name)->needs(shared);
  add_insecure_option(cmd);
  cmd->callback([opt, &status] {
    LiveTable table(stdout);
    std::optional<SubmissionReport> r;
    {
      // First: a collector of its own starts while the package is read.
      SubmitSession session(opt->collector, opt->instance);
      HandedIn in = hand_in(opt->submission);
      const Problem& problem = in.problem;
      const Submission& submission = in.submission;
      if (!opt->json)
        print_header(stdout, report_header(problem, submission), opt->submission.file);
      std::fflush(stdout);
      try {
        r = session.judge(problem, submission, opt->submission.file, opt->submission.all,
                          opt->cache_dir, opt->json ? nullptr : &table);
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
