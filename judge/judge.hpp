// Judging one submission on one problem: compile, run every test, check.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "judge/problem.hpp"
#include "judge/submission.hpp"
#include "judge/verdict.hpp"

namespace pj::judge {

struct TestReport {
  std::string name;  // "sample/1"
  Verdict verdict = Verdict::IE;
  double time = 0;           // CPU seconds
  double wall_time = 0;      // seconds
  std::uint64_t memory = 0;  // peak bytes
  std::optional<int> exit_code;
  std::string signal;           // "SIGSEGV", or empty
  std::string message;          // why not AC (checker message, signal, limit, IE reason)
  std::optional<double> score;  // scoring problems: the test's score
  std::string team_message;     // the validator's teammessage.txt, if any
};

// A test group's result (data/sample, data/secret and the groups below).
struct GroupReport {
  std::string name;  // "secret/group1"
  Verdict verdict = Verdict::AC;
  std::optional<double> score, max_score;  // scored groups only
  std::size_t tests_run = 0, tests_total = 0;
};

struct CompileReport {
  bool ok = false;
  bool cached = false;
  double seconds = 0;
  std::string output;  // diagnostics, truncated
  std::string reason;  // why not ok
};

struct SubmissionReport {
  std::string problem;       // short name
  std::string problem_name;  // from problem.yaml
  std::string submission;    // path as given
  std::string language, language_name;
  Verdict verdict = Verdict::IE;
  std::string reason;        // for anything but AC: the first failing test and why
  double time = 0;           // max CPU seconds over the tests run
  std::uint64_t memory = 0;  // max peak bytes over the tests run
  CompileReport compile;
  std::vector<TestReport> tests;
  std::size_t tests_total = 0;
  // Scoring problems: the score out of max_score; groups for every problem
  // that has groups beyond sample and secret, or a score.
  std::optional<double> score, max_score;
  std::vector<GroupReport> groups;
};

struct JudgeOptions {
  bool run_all = false;             // keep going after the first failing test
  int slot = 0;                     // run slot: picks the run uid when root
  std::filesystem::path cache_dir;  // empty: Compiler::default_cache_dir()
  // CPU time limit to judge with, instead of the problem's (verify's search
  // for the slowest accepted time runs with a generous one).
  std::optional<double> time_limit;
};

// Told about progress as it happens (the live table, the event stream).
class JudgeObserver {
 public:
  virtual ~JudgeObserver() = default;
  virtual void on_compiled(const CompileReport&) {}
  virtual void on_test(const TestReport&, std::size_t /*index*/, std::size_t /*total*/) {}
};

// Throws ConfigError if the submission's compiler or runtime is not installed.
void require_toolchain(const Submission& submission);

// Throws ConfigError only for what the user must fix before judging can
// start (e.g. the language's compiler is not installed); everything else
// ends in the report, the judge's own failures as IE.
SubmissionReport judge_submission(const Problem& problem, const Submission& submission,
                                  const JudgeOptions& options, JudgeObserver* observer = nullptr);

// The report as JSON (schema in README).
std::string report_json(const SubmissionReport& r, int indent = 2);

}  // namespace pj::judge
