// One submission to judge, as it travels on the job queue:
// {"v", "id", "problem", "file", "lang", "entry", "all", "pid", "uid"}.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pj::judge {

// Larger jobs (absurdly long paths) are refused when submitted.
inline constexpr std::size_t kMaxJobBytes = 8192;

struct Job {
  std::string id;
  std::string problem_dir;  // absolute
  std::string file;         // absolute
  std::string language;     // language id
  std::string entry;        // a directory's main source, when named ("": the language's rule)
  bool all = false;

  std::string to_message() const;
  // nullopt (and why in `error`) for a malformed job or one from another uid.
  static std::optional<Job> parse(std::string_view raw, std::int64_t expected_uid,
                                  std::string& error);
};

}  // namespace pj::judge
