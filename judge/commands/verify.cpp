// `pipejudge verify DIR...`: every bundled submission of each package gets
// its category's verdict, the input validators accept every input, and the
// slowest accepted time is measured against the time limit. Exit 0 if all
// holds, 1 if anything does not, 2 for a package that cannot be read.
#include <cstdio>

#include "judge/batch/verify.hpp"
#include "judge/commands/cli.hpp"
#include "judge/commands/options.hpp"
#include "judge/engine/error.hpp"
#include "judge/engine/run_slots.hpp"

namespace pj::judge {
namespace {

// A line per check, flushed as it happens.
class VerifyPrinter : public VerifyObserver {
 public:
  void on_start(const Problem& p, std::size_t submissions) override {
    std::printf("%s (%s): %zu tests, %zu submissions, time limit %g s%s\n", p.name.c_str(),
                p.short_name.c_str(), p.tests.size(), submissions, p.time_limit,
                p.time_limit_given ? "" : " (to be set from the accepted submissions)");
  }

  void on_inputs(const InputValidation& v) override {
    for (const auto& f : v.failures) std::printf("  FAIL  %s\n", f.c_str());
    if (v.programs)
      std::printf("  %s  input validators: %zu, %zu of %zu checks passed\n",
                  v.failures.empty() ? "ok  " : "FAIL", v.programs,
                  v.checked - std::min(v.checked, v.failures.size()), v.checked);
  }

  void on_time_limit_set(double limit, double multiplier, double slowest) override {
    std::printf("  time limit set to %g s (%g x the slowest accepted %.3f s)\n", limit, multiplier,
                slowest);
  }

  void on_submission(const SubmissionCheck& c) override {
    const SubmissionReport& r = c.report;
    char got[64];
    if (r.score && r.max_score) {
      std::snprintf(got, sizeof got, "%s %g/%g", verdict_code(r.verdict), *r.score, *r.max_score);
    } else {
      std::snprintf(got, sizeof got, "%s", verdict_code(r.verdict));
    }
    std::printf("  %s  %-40s %-12s %.3f s%s%s\n", c.mismatch ? "FAIL" : "ok  ", c.relative.c_str(),
                got, r.time, c.mismatch ? "  " : "", c.mismatch ? c.mismatch->c_str() : "");
    std::fflush(stdout);
  }

  void on_end(const std::optional<SlowestAccepted>& s, std::size_t passed,
              std::size_t total) override {
    if (s) {
      char note[96] = "";
      if (!s->within_margin())
        std::snprintf(note, sizeof note, "; the package wants %gx that within the limit",
                      s->multiplier);
      std::printf("  %s  slowest accepted: %.3f s (%s), %.0f%% of the %g s limit%s\n",
                  s->within_margin() ? "ok  " : "warn", s->seconds, s->where.c_str(),
                  100 * s->seconds / s->time_limit, s->time_limit, note);
    }
    std::printf("  %zu of %zu submissions as expected\n", passed, total);
  }
};

}  // namespace

void add_verify_command(CLI::App& app, int& status) {
  struct Options {
    std::vector<std::string> problems;
    std::string cache_dir;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "verify", "Check problem packages: their submissions, input validators and time limit");
  cmd->add_option("problem", opt->problems, "problem package directories")->required();
  cmd->add_option("--cache-dir", opt->cache_dir, "compile cache directory");
  add_insecure_option(cmd);
  cmd->callback([opt, &status] {
    VerifyOptions options;
    options.cache_dir = opt->cache_dir;
    RunSlot slot = RunSlot::take_for_command("verify");
    options.slot = slot.number();
    VerifyPrinter printer;
    status = kExitAccepted;
    std::size_t good = 0;
    for (const auto& dir : opt->problems) {
      try {
        if (verify_problem(dir, options, printer)) {
          ++good;
        } else if (status == kExitAccepted) {
          status = kExitRejected;
        }
      } catch (const ConfigError& e) {
        std::fflush(stdout);
        std::fprintf(stderr, "pipejudge: %s: %s\n", e.file().c_str(), e.what());
        status = kExitUsage;
      }
    }
    std::printf("verify: %zu of %zu problems as their packages say\n", good, opt->problems.size());
  });
}

}  // namespace pj::judge
