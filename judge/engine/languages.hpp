// The languages table (judge/engine/languages.yaml): languages are data, not code.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pj::judge {

struct Language {
  std::string id;    // "cpp"
  std::string name;  // "C++ (g++, gnu++20)"
  std::vector<std::string> extensions;
  std::vector<std::string> compile;  // empty: nothing to compile
  std::vector<std::string> run;
  double time_factor = 1.0;
  double memory_factor = 1.0;
  // How a directory of sources names its main source ({source}): the first
  // of `entry_files` present; else a source with a line that starts with
  // the word `entry_declares` (Pascal's `program`); else main.* or Main.*;
  // else the only source. With `entry_files` set and none of these, the
  // directory has no entry point (a usage error).
  std::vector<std::string> entry_files;
  std::string entry_declares;
};

class LanguageTable {
 public:
  // Throws ConfigError naming the file and the entry at fault.
  static LanguageTable load(const std::filesystem::path& file);
  // The table shipped with pipejudge ($PIPEJUDGE_LANGUAGES overrides).
  static LanguageTable load_default();

  const Language* find(const std::string& id) const;
  const Language* for_extension(const std::string& ext) const;  // "cpp", no dot
  std::vector<std::string> ids() const;

 private:
  std::map<std::string, Language> languages_;
};

// Replaces {memory_mb} with the run's memory limit in MiB: runtimes that
// manage their own heap (the JVM) are told the limit in their run command.
std::vector<std::string> expand_memory_limit(std::vector<std::string> argv, std::uint64_t bytes);

// Expands {source}, {sources}, {binary} in a command template.
std::vector<std::string> expand_command(const std::vector<std::string>& tmpl,
                                        const std::vector<std::string>& sources,
                                        const std::string& binary);

}  // namespace pj::judge
