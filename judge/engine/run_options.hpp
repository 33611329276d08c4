// What a submission's request may set for its compile and runs beyond its
// problem's limits and its language's commands: the knobs of an API such as
// Judge0's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pj::judge {

// Unset: the problem's (and the language's) limits and command.
struct RunOptions {
  // Keep the first this many bytes of each batch test's stdout in its
  // report (TestReport::output), whatever the verdict. 0: keep none.
  std::uint64_t keep_output = 0;
  std::optional<double> wall_seconds;
  std::optional<std::uint64_t> stack_bytes, output_bytes;
  std::optional<int> processes;
  std::vector<std::string> arguments;  // after the program's command
  bool stderr_to_stdout = false;       // one stream, kept and checked as stdout
  // Words for the {options} of the language's compile command (checked by
  // split_compiler_options); a language without {options} refuses them.
  std::vector<std::string> compiler_options;

  bool operator==(const RunOptions&) const = default;
};

}  // namespace pj::judge
