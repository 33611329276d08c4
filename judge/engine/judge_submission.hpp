// Judging one submission on one problem: compile, prepare the validator,
// run the tests, score.
#pragma once

#include <filesystem>
#include <optional>

#include "judge/engine/problem.hpp"
#include "judge/engine/results.hpp"
#include "judge/engine/run_options.hpp"
#include "judge/engine/submission.hpp"

namespace pj::judge {

class Workspace;

struct JudgeOptions {
  bool run_all = false;             // keep going after the first failing test
  int slot = 0;                     // run slot: picks the run uid when root
  std::filesystem::path cache_dir;  // empty: Compiler::default_cache_dir()
  // CPU time limit to judge with, instead of the problem's (verify's search
  // for the slowest accepted time runs with a generous one).
  std::optional<double> time_limit;
  RunOptions run;
  // A workspace the caller keeps from submission to submission (a judging
  // process), emptied before use: on some file systems a new directory
  // costs more than emptying an old one. Null: one of its own. Its
  // identity must be the slot's.
  Workspace* workspace = nullptr;
};

// Told about progress as it happens (the live table, the event stream).
class JudgeObserver {
 public:
  virtual ~JudgeObserver() = default;
  virtual void on_compiled(const CompileReport&) {}
  virtual void on_test(const TestReport&, std::size_t /*index*/, std::size_t /*total*/) {}
};

// The report before anything is judged: the problem, the submission, its
// language, the number of tests, the limits in effect (with `time_limit`
// instead of the problem's, when given).
SubmissionReport report_header(const Problem& problem, const Submission& submission,
                               std::optional<double> time_limit = std::nullopt);

// Throws ConfigError only for what the user must fix before judging can
// start (e.g. the language's compiler is not installed); everything else
// ends in the report, the judge's own failures as IE.
SubmissionReport judge_submission(const Problem& problem, const Submission& submission,
                                  const JudgeOptions& options, JudgeObserver* observer = nullptr);

}  // namespace pj::judge
