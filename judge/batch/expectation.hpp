// What a problem package's own submissions must get: the rules of their
// category directory (submissions/<category>/) and of submissions.yaml.
#pragma once

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "judge/engine/results.hpp"

namespace pj::judge {

// What a submission must get. Test verdicts are matched by code (AC, WA,
// TLE, RE, MLE, OLE; PE counts as WA): every test that ran must be in
// `permitted`, and at least one in `required` unless it is empty.
struct Expectation {
  struct Rule {
    std::set<std::string> permitted, required;
  };
  std::string category;  // "accepted", "wrong_answer", ...
  bool known = true;     // a category pipejudge knows
  bool compile_error = false;
  Rule rule;
  std::vector<std::pair<std::string, Rule>> group_rules;  // by group name: "secret/group1"
  std::optional<std::pair<double, double>> score;         // inclusive range
  bool partial_score = false;  // legacy partially_accepted: 0 < score < max
  std::string entrypoint;      // submissions.yaml: a directory's main source
};

// The default expectation of a submissions/ directory.
Expectation expectation_for_category(const std::string& category);

// Adds what submissions/submissions.yaml (2025-09) says of the submission
// at `relative` (e.g. "accepted/sol.cpp"). Throws ConfigError for keys that
// are not supported.
void apply_submissions_yaml(const std::filesystem::path& file, const std::string& relative,
                            Expectation& e);

// What a DOMjudge package's submissions.json (at the package's root) says
// of the submission at `relative`: its `entry_point`. The file maps each
// submission's path in the package ("submissions/accepted/a.py", a
// directory with a final '/') to {"entry_point", "langid", "team"}; only
// entry_point concerns judging. Throws ConfigError for a file that is not
// such a map.
void apply_domjudge_submissions_json(const std::filesystem::path& file, const std::string& relative,
                                     bool directory, Expectation& e);

// Whether the report meets the expectation; if not, why.
std::optional<std::string> mismatch(const Expectation& e, const SubmissionReport& r);

}  // namespace pj::judge
