// A class's submissions as people have them: a folder in one of the common
// layouts, or a CSV manifest. Every file is placed as a submission, or
// listed as not judged, with why; nothing is dropped.
#pragma once

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "judge/engine/languages.hpp"

namespace pj::judge {

struct BatchEntry {
  std::string student;
  std::string problem;                       // the package's short name
  std::filesystem::path path;                // a file, or a directory of sources
  std::map<std::string, std::string> extra;  // a manifest's other columns
};

struct NotJudged {
  std::string path;  // as found
  std::string why;
};

struct ClassBatch {
  std::string layout;  // "<student>/<problem>.<ext>", "<problem>/<student>.<ext>", "manifest"
  std::vector<BatchEntry> entries;
  std::vector<NotJudged> not_judged;
  std::vector<std::string> extra_columns;  // a manifest's, in its order

  std::size_t student_count() const;
  std::size_t problem_count() const;
  // "40 students, 5 problems, 193 submissions (layout <student>/<problem>.<ext>)"
  std::string summary() const;
};

// A folder whose top level is students (each holding <problem>.<ext> files
// or <problem>/ directories) or problems (each holding <student>.<ext> or
// <student>/): the layout whose top-level names match more of `problems`.
// Throws ConfigError if the folder cannot be read.
ClassBatch read_class_folder(const std::filesystem::path& folder,
                             const std::set<std::string>& problems, const LanguageTable& languages);

// A CSV manifest: a header line with student, problem, path and optionally
// submitted_at and other columns; paths relative to the manifest's folder.
// Throws ConfigError naming the line of a malformed file.
ClassBatch read_manifest(const std::filesystem::path& csv, const std::set<std::string>& problems,
                         const LanguageTable& languages);

}  // namespace pj::judge
