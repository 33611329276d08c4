// A submission: one source file, or a directory of sources in one language.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "judge/engine/languages.hpp"

namespace pj::judge {

struct Submission {
  std::filesystem::path path;                  // as given
  std::vector<std::filesystem::path> sources;  // the main source first
  // Other files of a directory submission (headers such as testlib.h, data),
  // copied next to the sources for the compiler.
  std::vector<std::filesystem::path> support_files;
  const Language* language = nullptr;
};

// Checks the file(s) and picks the language (by extension unless
// `language_id` is given) and, for a directory, its main source (`entry`,
// a file name in it, else by the language's rule). Throws ConfigError
// naming the file at fault: does not exist, empty, binary, unknown
// extension, unknown language, no entry point.
Submission load_submission(const std::filesystem::path& path, const std::string& language_id,
                           const LanguageTable& languages, const std::string& entry = "");

// What of the language's compiler and runtime is not installed, with the
// Debian package to install; nullopt when all is there.
std::optional<std::string> missing_toolchain(const Language& lang);

// Throws ConfigError if the submission's compiler or runtime is not installed
// (saying which, and the Debian package that has it).
void require_toolchain(const Submission& submission);

}  // namespace pj::judge
