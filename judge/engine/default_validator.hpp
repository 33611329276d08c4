// The default output validator of the Kattis/ICPC package format.
//
// Token-by-token comparison of the contestant's output with the judge's
// answer, streamed from the two files (memory does not grow with the file
// size). Case-insensitive unless `case_sensitive`; whitespace-insensitive
// unless `space_change_sensitive`; tokens that both parse as floating point
// numbers compare within tolerance when a float tolerance is set.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pj::judge {

struct DefaultValidatorFlags {
  bool case_sensitive = false;
  bool space_change_sensitive = false;
  std::optional<double> float_absolute_tolerance;
  std::optional<double> float_relative_tolerance;

  // Parses validator flags as written in problem.yaml: "case_sensitive",
  // "space_change_sensitive", "float_tolerance E" (both), "float_relative_tolerance E",
  // "float_absolute_tolerance E". Throws std::invalid_argument naming the bad flag.
  static DefaultValidatorFlags parse(const std::vector<std::string>& words);
};

struct DefaultValidatorResult {
  bool accepted = false;
  std::string message;  // why not, e.g. "token 3: expected '7', got '8'"
};

// Compares the contestant output file with the answer file.
// Throws std::runtime_error if a file cannot be read (a judge error, not WA).
DefaultValidatorResult run_default_validator(const std::string& answer_path,
                                             const std::string& output_path,
                                             const DefaultValidatorFlags& flags);

}  // namespace pj::judge
