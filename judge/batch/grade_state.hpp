// What a batch's results are, kept in its --out directory so that the next
// `grade` run judges only what changed or was not finished:
//   grade-state.json  a snapshot: {"results": {key: id}, "latest": {entry: id}}
//   grade-state.log   one JSON line per result remembered since the snapshot,
//                     appended and fsynced: O(1) per submission, where
//                     rewriting the snapshot each time was O(n).
// A result's key hashes what could change it (grade.cpp); "latest" is the
// last result of each student's submission whatever its key (what a rejudge
// compares with).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "sandbox/fd.hpp"

namespace pj::judge {

class GradeState {
 public:
  // Reads the snapshot, then the log (a line a killed run left half written
  // is skipped), and folds a log into a new snapshot. Throws
  // std::system_error when the directory cannot be written.
  explicit GradeState(std::filesystem::path out);
  GradeState(const GradeState&) = delete;
  GradeState& operator=(const GradeState&) = delete;

  std::optional<std::string> result(const std::string& key) const;
  std::optional<std::string> latest(const std::string& entry) const;

  // Durable when it returns. Throws std::system_error.
  void remember(const std::string& key, const std::string& entry, const std::string& id);

  // Writes the snapshot (atomically, durably), then removes the log.
  void compact();

 private:
  using Ids = std::map<std::string, std::string>;
  void apply_log();

  std::filesystem::path out_;
  Ids results_, latest_;
  sandbox::UniqueFd log_;  // opened at the first remember()
  bool logged_ = false;    // the log holds lines the snapshot does not
};

}  // namespace pj::judge
