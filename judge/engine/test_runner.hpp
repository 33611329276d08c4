// Running one test of a compiled submission: in the sandbox, with the
// problem's limits, its answer checked by the default or a custom output
// validator (or, interactive, the validator talking with it).
#pragma once

#include <optional>

#include "judge/engine/compile.hpp"
#include "judge/engine/custom_validator.hpp"
#include "judge/engine/problem.hpp"
#include "judge/engine/results.hpp"
#include "judge/engine/workspace.hpp"
#include "sandbox/sandbox.hpp"

namespace pj::judge {

// The limits of a test of `lang` on `p` with this CPU time limit: the
// problem's, times the language's factors.
sandbox::Limits submission_limits(const Problem& p, const Language& lang, double time_limit);

class TestRunner {
 public:
  // `validator` is the package's custom output validator, if it has one.
  TestRunner(const Problem& p, const Language& lang, Workspace& ws, const CompileResult& program,
             std::optional<ValidatorRunner> validator, double time_limit);

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
  Pass run_pass(const TestCase& test, const std::filesystem::path& input);
  TestReport run_passes(const TestCase& test);
  Pass run_batch(const TestCase& test, const std::filesystem::path& input);
  Pass run_interactive(const TestCase& test, const std::filesystem::path& input);

  const Problem& problem_;
  Workspace& ws_;
  const CompileResult& program_;
  std::optional<ValidatorRunner> validator_;
  sandbox::Limits limits_;
};

}  // namespace pj::judge
