// Custom output validators and interactors, under the Kattis protocol
// (exit 42 accept, 43 reject, feedback directory) or testlib's (exit 0 ok,
// 1 wrong answer, 2 presentation error, 3 fail, 7 points).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "judge/compile.hpp"
#include "judge/problem.hpp"
#include "judge/verdict.hpp"
#include "judge/workspace.hpp"
#include "sandbox/sandbox.hpp"

namespace pj::judge {

// What a validator said of one test.
struct ValidatorVerdict {
  enum class Kind { Accept, Reject, Error };
  Kind kind = Kind::Error;
  Verdict verdict = Verdict::IE;  // AC, WA or PE; IE for Error
  std::string message;            // judgemessage.txt or the checker's words; why for Error
  std::string team_message;       // teammessage.txt
  std::optional<double> score;    // score.txt, or testlib's points
};

// Compiles a program of the package (a source file or a directory of
// sources: validators, input validators) into <workspace>/<name>, cached
// like submissions; throws std::runtime_error saying why it cannot be used.
CompileResult compile_package_program(const std::filesystem::path& path, Workspace& ws,
                                      const std::filesystem::path& cache_dir,
                                      const std::string& name);

// How a program of the package (validator, interactor, input validator)
// runs: in `box`, as `id`, with the package's validation limits.
sandbox::Spec package_program_spec(const Problem& p, const CompileResult& program,
                                   const std::filesystem::path& box, const RunIdentity& id);

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
  std::filesystem::path prepare_box(const TestCase& test);
  sandbox::Spec base_spec(const std::filesystem::path& box, std::vector<std::string> args);
  ValidatorVerdict interpret(const sandbox::Result& res, const std::filesystem::path& box,
                             const char* role);

  const Problem& problem_;
  Workspace& ws_;
  const CompileResult& program_;
  RunIdentity id_;
  std::filesystem::path box_;
};

}  // namespace pj::judge
