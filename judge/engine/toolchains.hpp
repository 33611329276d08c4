// What of each language's toolchain this machine has: the installed version
// (asked of the compiler or runtime itself), or what is missing and the
// Debian package that has it. For `pipejudge languages`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "judge/engine/languages.hpp"

namespace pj::judge {

struct ToolchainStatus {
  const Language* language = nullptr;
  std::optional<std::string> missing;  // what is not installed, with the package
  std::string version;                 // the version command's first line
  std::string version_error;           // why the version command gave none
};

// One per language of the table, in id order. The version commands run in
// the sandbox as compilers do (the language's environment and read-only
// paths), one language at a time.
std::vector<ToolchainStatus> survey_toolchains(const LanguageTable& languages);

}  // namespace pj::judge
