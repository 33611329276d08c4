// One submission to judge, as it travels on the job queue:
// {"v", "id", "problem", "file", "lang", "entry", "all", "run", "priority", "attempt", "pid",
//  "uid"}; "run" (RunOptions) holds only what is set; with a broker "problem_hash",
//  "source_hash" (packages.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "judge/engine/run_options.hpp"

namespace pj::judge {

// Larger jobs (absurdly long paths) are refused when submitted.
inline constexpr std::size_t kMaxJobBytes = 8192;

// How urgent a job is: the queue hands out live submissions first, then
// re-judges, then batch grading; first come, first served within each.
enum class Priority { Batch = 0, Rejudge = 1, Live = 2 };
const char* priority_name(Priority p);  // "batch", "rejudge", "live"
std::optional<Priority> parse_priority(std::string_view name);

struct Job {
  std::string id;
  std::string problem_dir;  // absolute
  std::string file;         // absolute
  std::string language;     // language id
  std::string entry;        // a directory's main source, when named ("": the language's rule)
  bool all = false;
  RunOptions run;
  Priority priority = Priority::Live;
  // With a broker: the package and the submission as archives in it, for
  // workers that lack them (or have another version); "": by path.
  std::string problem_hash, source_hash;
  // Set by the queue: how many times the job has been taken, this time
  // included, and what became of the earlier times.
  int attempt = 0;
  std::vector<std::string> failures;

  std::string to_message() const;
  // nullopt (and why in `error`) for a malformed job or one from another uid.
  static std::optional<Job> parse(std::string_view raw, std::int64_t expected_uid,
                                  std::string& error);
};

}  // namespace pj::judge
