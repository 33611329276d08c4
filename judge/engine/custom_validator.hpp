// Custom output validators and interactors, under the Kattis protocol
// (exit 42 accept, 43 reject, feedback directory) or testlib's (exit 0 ok,
// 1 wrong answer, 2 presentation error, 3 fail, 7 points).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "judge/engine/compile.hpp"
#include "judge/engine/package_program.hpp"
#include "judge/engine/problem.hpp"
#include "judge/engine/verdict.hpp"
#include "judge/engine/workspace.hpp"
#include "sandbox/sandbox.hpp"

namespace pj::judge {

// What a validator said of one test.
struct ValidatorVerdict {
  enum class Kind { Accept, Reject, Error };
  Kind kind = Kind::Error;
  Verdict verdict = Verdict::IE;  // AC, WA or PE; IE for Error
  std::string message;            // judgemessage.txt or testlib's words; why for Error
  std::string team_message;       // teammessage.txt
  std::optional<double> score;    // score.txt, or testlib's points
};

class ValidatorRunner {
 public:
  ValidatorRunner(const Problem& p, Workspace& ws, const CompileResult& program, RunIdentity id)
      : problem_(p), ws_(ws), program_(program), id_(id) {}

  // Checks a finished run's output file.
  ValidatorVerdict check(const TestCase& test, const std::filesystem::path& output);

  // Interactive: the validator's half of a connected run, set up in a fresh
  // box; `submission_wall` is the submission's wall limit, which the
  // validator outlives so that the submission's fate is known first.
  sandbox::Spec interactor_spec(const TestCase& test, double submission_wall);
  // Whether an interactor that has just ended rejected the submission (then
  // the submission need not run on: the verdict is WA whatever it does).
  bool rejected(const sandbox::Result& res) const;
  // Reads what the interactor said, once the connected run is over.
  ValidatorVerdict interactor_verdict(const sandbox::Result& res);

 private:
  bool kattis() const;
  std::string who(const char* role) const;  // "the output validator", "the testlib interactor"
  std::filesystem::path prepare_box(const TestCase& test);
  sandbox::Spec base_spec(const std::filesystem::path& box, std::vector<std::string> args);
  ValidatorVerdict interpret(const sandbox::Result& res, const sandbox::Limits& limits,
                             const std::filesystem::path& box, const std::string& who);
  ValidatorVerdict interpret_testlib(int exit_code, const std::string& words,
                                     const std::string& who) const;
  ValidatorVerdict interpret_kattis(int exit_code, const std::filesystem::path& feedback,
                                    const std::string& who) const;

  const Problem& problem_;
  Workspace& ws_;
  const CompileResult& program_;
  RunIdentity id_;
  std::filesystem::path box_;          // the interactor's
  sandbox::Limits interactor_limits_;  // the interactor's
};

}  // namespace pj::judge
