// Running one test of a compiled submission: in the sandbox, with the
// problem's limits, its answer checked by the default or a custom output
// validator (or, interactive, the validator talking with it).
#pragma once

#include <functional>
#include <optional>

#include "judge/engine/compile.hpp"
#include "judge/engine/custom_validator.hpp"
#include "judge/engine/problem.hpp"
#include "judge/engine/results.hpp"
#include "judge/engine/run_options.hpp"
#include "judge/engine/workspace.hpp"
#include "sandbox/sandbox.hpp"

namespace pj::judge {

// How far over its CPU time limit a run may end and still be "near" it:
// such a TLE is judged again once (the second result stands), since the
// machine's noise alone can put a run that close over. The watchdog kills a
// run only this far past the limit (sandbox::Limits::cpu_grace_seconds), so
// that a run's CPU time tells near from far.
inline constexpr double kNearLimit = 0.05;

// The limits of a test of `lang` on `p` with this CPU time limit: the
// problem's, times the language's factors (with the grace of kNearLimit).
sandbox::Limits submission_limits(const Problem& p, const Language& lang, double time_limit);

// Whether `t` is a TLE near the limit: CPU time over limits.cpu_seconds by
// less than its grace, and the run ended by itself (not killed: by the
// watchdog past the grace, or at the wall limit).
bool near_limit_tle(const TestReport& t, const sandbox::Limits& limits);

// Whether `t` is a TLE by wall time with less CPU time than the limit: a
// program that sleeps, or one the rest of the machine held off its core (the
// two look alike from here).
bool wall_limit_tle(const TestReport& t, const sandbox::Limits& limits);

// `first`, or if the machine may have made it a TLE (near_limit_tle or
// wall_limit_tle), what `again` (the same test judged again) gives, marked
// with the first run's CPU time. At most once.
TestReport rerun_if_doubtful(TestReport first, const sandbox::Limits& limits,
                             const std::function<TestReport()>& again);

class TestRunner {
 public:
  // `validator` is the package's custom output validator, if it has one.
  TestRunner(const Problem& p, const Language& lang, Workspace& ws, const CompileResult& program,
             std::optional<ValidatorRunner> validator, double time_limit,
             const RunOptions& run = {});

  // Never throws: the judge's own trouble is an IE report.
  TestReport run(const TestCase& test);

  // One run of the submission, checked; `another`: the validator asked for
  // another pass (multi-pass problems).
  struct Pass {
    TestReport report;
    bool another = false;
  };

 private:
  sandbox::Spec submission_spec(const std::filesystem::path& box) const;
  TestReport judge_once(const TestCase& test);
  Pass run_pass(const TestCase& test, const std::filesystem::path& input);
  TestReport run_passes(const TestCase& test);
  Pass run_batch(const TestCase& test, const std::filesystem::path& input);
  Pass run_interactive(const TestCase& test, const std::filesystem::path& input);

  const Problem& problem_;
  Workspace& ws_;
  const CompileResult& program_;
  std::optional<ValidatorRunner> validator_;
  sandbox::Limits limits_;
  RunOptions run_;  // JudgeOptions::run
};

}  // namespace pj::judge
