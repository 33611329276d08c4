// What judging found: a test, a test group, the compile step and the whole
// submission. Plain records; judge/report/ encodes and decodes them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "judge/engine/verdict.hpp"

namespace pj::judge {

struct TestReport {
  std::string name;  // "sample/1"
  Verdict verdict = Verdict::IE;
  double time = 0;           // CPU seconds
  double wall_time = 0;      // seconds
  std::uint64_t memory = 0;  // peak bytes
  std::optional<int> exit_code;
  std::string signal;           // "SIGSEGV", or empty
  std::string message;          // why not AC (validator message, signal, limit, IE reason)
  std::optional<double> score;  // scoring problems: the test's score
  std::string team_message;     // the validator's teammessage.txt, if any
  // A failing test: the start of what the program wrote on stderr (the
  // exception, the traceback); its telling line is also in `message`.
  std::string error_output;
  std::optional<int> passes;  // multi-pass problems: how many passes ran
  // The start of what the program wrote on stdout, whatever its verdict,
  // when the submission asked for it (RunOptions::keep_output): bytes as
  // written, UTF-8 or not. Empty otherwise.
  std::string output;
  // Re-run once: the first run was a TLE the machine may have caused (its CPU
  // time over the limit by at most 5 %, or the wall limit reached with less
  // CPU time than the limit), and took this many CPU seconds; everything else
  // in this report is the second run's, which stands.
  std::optional<double> rerun_first_time;
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

// The limits each test runs under: the problem's (or the site's defaults),
// times the language's factors.
struct RunLimits {
  double time = 0;           // CPU seconds
  std::uint64_t memory = 0;  // bytes
  std::uint64_t output = 0;  // bytes
};

struct SubmissionReport {
  std::string problem;       // short name
  std::string problem_name;  // from problem.yaml
  std::string submission;    // path as given
  std::string language, language_name;
  RunLimits limits;
  // Unset only while a stored submission is still being judged.
  std::optional<Verdict> verdict;
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
  // Judged without isolation (plain runs, allowed by --insecure): the
  // program could read every file the judge's user can, the answers too.
  bool insecure = false;

  bool accepted() const { return verdict == Verdict::AC; }
  std::size_t tests_passed() const;
};

inline std::size_t SubmissionReport::tests_passed() const {
  std::size_t n = 0;
  for (const auto& t : tests) n += t.verdict == Verdict::AC;
  return n;
}

}  // namespace pj::judge
