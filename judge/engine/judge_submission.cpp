#include "judge/engine/judge_submission.hpp"

#include <algorithm>

#include "judge/engine/compile.hpp"
#include "judge/engine/custom_validator.hpp"
#include "judge/engine/package_program.hpp"
#include "judge/engine/scoring.hpp"
#include "judge/engine/test_runner.hpp"
#include "sandbox/sandbox.hpp"

namespace pj::judge {
namespace {

// One submission being judged: the steps below fill in its report.
struct Judging {
  Judging(const Problem& p, const Submission& s, const JudgeOptions& o, JudgeObserver* obs)
      : problem(p),
        submission(s),
        options(o),
        observer(obs),
        report(report_header(p, s, o.time_limit)) {}

  const Problem& problem;
  const Submission& submission;
  const JudgeOptions& options;
  JudgeObserver* observer;
  SubmissionReport report;
  std::optional<Workspace> own_workspace;
  Workspace* workspace = nullptr;  // the caller's, or own_workspace
  CompileResult program;
  CompileResult validator_program;
  std::optional<ValidatorRunner> validator;
};

// Compiles the submission (or takes it from the cache); false: CE or IE.
bool compile(Judging& j) {
  try {
    if (j.options.workspace) {
      j.workspace = j.options.workspace;
      j.workspace->clear();
    } else {
      j.workspace = &j.own_workspace.emplace(RunIdentity::for_slot(j.options.slot));
    }
    j.program = Compiler(j.options.cache_dir)
                    .compile(j.submission, *j.workspace, "program", j.options.run.compiler_options);
  } catch (const std::exception& e) {
    j.program.status = CompileResult::Status::JudgeError;
    j.program.reason = std::string("cannot compile: ") + e.what();
  }
  const CompileResult& c = j.program;
  j.report.compile = {c.status == CompileResult::Status::Ok, c.cached, c.seconds, c.diagnostics,
                      c.reason};
  if (j.observer) j.observer->on_compiled(j.report.compile);
  if (c.status == CompileResult::Status::Ok) return true;
  j.report.verdict = c.status == CompileResult::Status::CompileError ? Verdict::CE : Verdict::IE;
  j.report.reason = c.reason;
  return false;
}

// The package's custom output validator, compiled once per package version
// (cached); if it cannot be used, that is the judge's problem (IE), never
// the submission's.
bool prepare_validator(Judging& j) {
  if (!j.problem.validator) return true;
  try {
    j.validator_program = compile_package_program(j.problem.validator->path, *j.workspace,
                                                  j.options.cache_dir, "validator");
    j.validator.emplace(j.problem, *j.workspace, j.validator_program,
                        RunIdentity::for_validator(j.options.slot));
    return true;
  } catch (const std::exception& e) {
    j.report.verdict = Verdict::IE;
    j.report.reason = std::string("cannot use the output validator: ") + e.what();
    return false;
  }
}

std::string first_failure_reason(const TestReport& t) {
  std::string r = std::string(verdict_code(t.verdict)) + " on test " + t.name;
  if (!t.message.empty()) r += ": " + t.message;
  return r;
}

// Runs the tests in order, skipping the rest of a group that stops on its
// first failure (every test with run_all); returns the report of each test
// of the problem, or null where it did not run.
std::vector<const TestReport*> run_tests(Judging& j) {
  const Problem& p = j.problem;
  SubmissionReport& r = j.report;
  TestRunner runner(p, *j.submission.language, *j.workspace, j.program, std::move(j.validator),
                    j.options.time_limit.value_or(p.time_limit), j.options.run);
  GroupTracker groups(p);
  std::vector<std::size_t> ran;
  r.verdict = Verdict::AC;
  for (std::size_t i = 0; i < p.tests.size(); ++i) {
    if (!j.options.run_all && !groups.should_run(i)) continue;
    const TestReport& t = r.tests.emplace_back(runner.run(p.tests[i]));
    ran.push_back(i);
    r.time = std::max(r.time, t.time);
    r.memory = std::max(r.memory, t.memory);
    if (j.observer) j.observer->on_test(t, i, p.tests.size());
    if (t.verdict == Verdict::AC) continue;
    groups.record_failure(i);
    if (r.accepted()) {
      r.verdict = t.verdict;
      r.reason = first_failure_reason(t);
    }
  }
  std::vector<const TestReport*> by_test(p.tests.size(), nullptr);
  for (std::size_t k = 0; k < ran.size(); ++k) by_test[ran[k]] = &r.tests[k];
  return by_test;
}

void score(Judging& j, const std::vector<const TestReport*>& by_test) {
  ScoreSheet sheet = score_groups(j.problem, by_test);
  j.report.groups = std::move(sheet.groups);
  j.report.score = sheet.score;
  j.report.max_score = sheet.max_score;
}

}  // namespace

SubmissionReport report_header(const Problem& problem, const Submission& submission,
                               std::optional<double> time_limit) {
  SubmissionReport r;
  sandbox::Limits limits =
      submission_limits(problem, *submission.language, time_limit.value_or(problem.time_limit));
  r.limits = {limits.cpu_seconds, limits.memory_bytes, limits.output_bytes};
  r.problem = problem.short_name;
  r.problem_name = problem.name;
  r.submission = submission.path.string();
  r.language = submission.language->id;
  r.language_name = submission.language->name;
  r.tests_total = problem.tests.size();
  return r;
}

SubmissionReport judge_submission(const Problem& problem, const Submission& submission,
                                  const JudgeOptions& options, JudgeObserver* observer) {
  require_toolchain(submission);
  Judging j(problem, submission, options, observer);
  if (compile(j) && prepare_validator(j)) score(j, run_tests(j));
  j.report.insecure = sandbox::ran_plain();
  return j.report;
}

}  // namespace pj::judge
