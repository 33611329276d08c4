// A problem package in the ICPC/Kattis problem package format (legacy,
// 2023-07-draft and 2025-09): limits, test data and its groups, and how
// answers are checked.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "judge/engine/default_validator.hpp"

namespace pj::judge {

struct TestCase {
  std::string name;  // "sample/1", "secret/group1/big"
  std::filesystem::path input, answer;
  std::size_t group = 0;                          // index into Problem::groups: the innermost group
  std::vector<std::string> validator_args;        // validator arguments in force for this test
  DefaultValidatorFlags default_validator_flags;  // the same, parsed for the default validator
};

// How a group's result follows from its items' results.
enum class Aggregation { PassFail, Sum, Min, Max, Avg };

// A folder of test data: data/ itself (the root), data/sample, data/secret
// and the groups below them. Items are tests and subgroups in name order.
struct TestGroup {
  std::string name;  // "data", "sample", "secret", "secret/group1"
  std::filesystem::path dir;
  std::optional<std::size_t> parent;
  std::vector<std::size_t> tests;   // direct tests (indices into Problem::tests)
  std::vector<std::size_t> groups;  // direct subgroups (indices into Problem::groups)
  Aggregation aggregation = Aggregation::PassFail;
  bool scored = false;              // counts towards the score (scoring problems)
  bool stop_on_reject = true;       // legacy on_reject: break; a pass-fail or min group
  std::optional<double> max_score;  // 2025-09: the group's maximum
  // Legacy: a test's score when accepted / rejected without score.txt.
  double accept_score = 1, reject_score = 0;
  // Legacy grader flags: verdict by the first error (else by the worst one),
  // accepted if any item is, accepted always.
  bool first_error = false, accept_if_any = false, always_accept = false;
  std::optional<double> range_max;  // legacy `range` upper bound
};

enum class ValidatorProtocol { Kattis, Testlib };

// A custom output validator (or interactor) program from the package.
struct CustomValidator {
  std::filesystem::path path;  // a source file or a directory of sources
  ValidatorProtocol protocol = ValidatorProtocol::Kattis;
};

// The versions of the format, by problem.yaml's problem_format_version.
enum class FormatVersion {
  Legacy,        // absent, "legacy" or "legacy-icpc": testdata.yaml with grader settings
  Draft2023_07,  // "2023-07-draft": testdata.yaml with a `scoring` map
  V2025_09,      // "2025-09": test_group.yaml
};
const char* format_version_name(FormatVersion v);

struct Problem {
  std::filesystem::path dir;
  std::string short_name;  // the directory's name
  std::string name;        // problem.yaml name (English when there are several)
  FormatVersion format = FormatVersion::Legacy;
  bool legacy() const { return format == FormatVersion::Legacy; }
  // Limits the package does not set come from the site's defaults
  // (site_config.hpp); load_problem fills them in.
  double time_limit = 1.0;        // CPU seconds
  bool time_limit_given = false;  // from problem.yaml or .timelimit, not the default
  // verify: the time limit is at least this many times the slowest accepted
  // time (legacy limits.time_multiplier, 2025-09 time_multipliers.ac_to_time_limit).
  double ac_to_time_limit = 2.0;
  std::uint64_t memory_bytes = 256ull << 20;
  std::uint64_t output_bytes = 8ull << 20;
  // Limits of a custom validator or interactor, per run.
  double validation_seconds = 30;
  std::uint64_t validation_memory_bytes = 2048ull << 20;
  bool scoring = false;      // type scoring: a score out of max_score()
  bool interactive = false;  // the validator talks with the submission
  // Multi-pass: the validator may ask for another run of the submission by
  // writing nextpass.in, the next pass's input; at most this many passes.
  bool multi_pass = false;
  int validation_passes = 2;
  std::optional<CustomValidator> validator;  // none: the default output validator
  std::vector<TestCase> tests;               // in judging order (name order, depth first)
  std::vector<TestGroup> groups;             // groups[0] is the root (data/)
};

// Reads DIR/problem.yaml and DIR/data. Throws ConfigError naming the file at fault.
Problem load_problem(const std::filesystem::path& dir);

}  // namespace pj::judge
