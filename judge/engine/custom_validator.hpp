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
  // Multi-pass: accepted this pass and asked for another (nextpass.in).
  bool next_pass = false;
};

class ValidatorRunner {
 public:
  ValidatorRunner(const Problem& p, Workspace& ws, const CompileResult& program, RunIdentity id)
      : problem_(p), ws_(ws), program_(program), id_(id) {}

  // Checks a finished run's output file. `input` is what the run read: the
  // test's input, or in a later pass of a multi-pass test, the pass's.
  ValidatorVerdict check(const TestCase& test, const std::filesystem::path& input,
                         const std::filesystem::path& output);

  // Interactive: the validator's half of a connected run on `input`;
  // `submission_wall` is the submission's wall limit, which the validator
  // outlives so that the submission's fate is known first.
  sandbox::Spec interactor_spec(const TestCase& test, const std::filesystem::path& input,
                                double submission_wall);
  // Whether an interactor that has just ended rejected the submission (then
  // the submission need not run on: the verdict is WA whatever it does).
  bool rejected(const sandbox::Result& res) const;
  // Reads what the interactor said, once the connected run is over.
  ValidatorVerdict interactor_verdict(const sandbox::Result& res);

  // After a verdict with next_pass: the input of the test's next pass.
  const std::filesystem::path& next_pass_input() const { return next_input_; }
  // Ends the test (its passes, however they ended): its box goes.
  void end_test();

 private:
  bool kattis() const;
  std::string who(const char* role) const;  // "the output validator", "the testlib interactor"
  // A test's box holds its input, answer and feedback directory. It is made
  // for the first pass and kept while passes follow, so the feedback
  // directory persists from pass to pass; it goes after the last.
  std::filesystem::path open_box(const TestCase& test, const std::filesystem::path& input);
  void close_box_unless_passing(const ValidatorVerdict& v);
  ValidatorVerdict take_next_pass(ValidatorVerdict v, const std::filesystem::path& feedback,
                                  const std::string& who);
  sandbox::Spec base_spec(const std::filesystem::path& box, std::vector<std::string> args);
  ValidatorVerdict interpret(const sandbox::Result& res, const sandbox::Limits& limits,
                             const std::filesystem::path& box, const std::string& who);
  ValidatorVerdict interpret_testlib(int exit_code, const std::string& words,
                                     const std::string& who) const;
  ValidatorVerdict interpret_kattis(int exit_code, const std::filesystem::path& feedback,
                                    const std::string& who);

  const Problem& problem_;
  Workspace& ws_;
  const CompileResult& program_;
  RunIdentity id_;
  std::filesystem::path box_;          // the test's (empty: none open)
  sandbox::Limits interactor_limits_;  // the interactor's
  std::filesystem::path next_input_;
  int pass_ = 0;  // of the test whose box is open
};

}  // namespace pj::judge
