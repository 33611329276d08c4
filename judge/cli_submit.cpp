// `pipejudge submit --problem DIR FILE`: judge one submission, print a live
// table (or --json), exit 0 for AC, 1 for any other verdict. The judge runs
// in a worker child reporting through a collector (see submit_session.hpp).
#include <cstdio>
#include <iostream>

#include "judge/cli.hpp"
#include "judge/judge.hpp"
#include "judge/problem.hpp"
#include "judge/signals.hpp"
#include "judge/submission.hpp"
#include "judge/submit_session.hpp"
#include "judge/table.hpp"

namespace pj::judge {
namespace {

// One row per test as it finishes, flushed at once.
class LiveTable : public JudgeObserver {
 public:
  explicit LiveTable(std::FILE* out) : out_(out) {}

  void on_compiled(const CompileReport& c) override {
    if (c.ok) {
      std::fprintf(out_, "compile   ok%s  %.2f s\n", c.cached ? " (cached)" : "", c.seconds);
      print_test_header(out_);
    } else {
      std::fprintf(out_, "compile   failed: %s\n", c.reason.c_str());
      if (!c.output.empty()) std::fprintf(out_, "%s\n", c.output.c_str());
    }
    std::fflush(out_);
  }

  void on_test(const TestReport& t, std::size_t, std::size_t) override {
    print_test_row(out_, t.name, verdict_code(t.verdict), t.time, t.memory,
                   t.verdict == Verdict::AC ? "" : t.message);
    std::fflush(out_);
  }

 private:
  std::FILE* out_;
};

void print_summary(const SubmissionReport& r) {
  std::size_t passed = 0;
  for (const auto& t : r.tests) passed += t.verdict == Verdict::AC;
  std::printf("verdict   %s (%s)", verdict_code(r.verdict), verdict_description(r.verdict));
  if (r.compile.ok)
    std::printf("  %zu/%zu tests passed  max time %.3f s  max memory %s", passed, r.tests_total,
                r.time, human_bytes(r.memory).c_str());
  std::printf("\n");
  for (const auto& g : r.groups) {
    if (!g.score && r.groups.size() <= 2) continue;  // only sample and secret: nothing new
    std::printf("group     %-24s %-4s %zu/%zu tests run", g.name.c_str(),
                g.tests_run ? verdict_code(g.verdict) : "-", g.tests_run, g.tests_total);
    if (g.score && g.max_score) std::printf("  score %g/%g", *g.score, *g.max_score);
    std::printf("\n");
  }
  if (r.score && r.max_score) std::printf("score     %g of %g\n", *r.score, *r.max_score);
  if (r.verdict != Verdict::AC && !r.reason.empty())
    std::printf("reason    %s\n", r.reason.c_str());
}

}  // namespace

void add_submit_command(CLI::App& app, int& status) {
  struct Options {
    std::string problem, file, lang, cache_dir;
    bool all = false, json = false, collector = false;
    InstanceOptions instance;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("submit", "Judge one submission on one problem");
  cmd->add_option("--problem,-p", opt->problem, "problem package directory")->required();
  cmd->add_option("file", opt->file, "source file, or a directory of sources")->required();
  cmd->add_option("--lang,-l", opt->lang, "language id (default: by extension)");
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
    Submission submission = load_submission(opt->file, opt->lang, languages);
    require_toolchain(submission);
    LiveTable table(stdout);
    std::optional<SubmissionReport> r;
    {
      SubmitSession session(opt->collector, opt->instance);
      if (!opt->json)
        std::printf("%s (%s): %s in %s, %zu tests, %.3g s, %llu MiB\n", problem.name.c_str(),
                    problem.short_name.c_str(), opt->file.c_str(),
                    submission.language->name.c_str(), problem.tests.size(), problem.time_limit,
                    static_cast<unsigned long long>(problem.memory_bytes >> 20));
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
      print_summary(*r);
    }
    status = r->verdict == Verdict::AC ? kExitAccepted : kExitRejected;
  });
}

}  // namespace pj::judge
