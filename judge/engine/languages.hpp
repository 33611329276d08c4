// The languages table (judge/engine/languages.yaml): languages are data, not code.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
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
  // Where the toolchain comes from: the Debian package to install.
  std::string debian_package;
  // argv that prints the compiler's or runtime's version (first line kept).
  std::vector<std::string> version;
  // Host paths the compiler and the program also see, read-only, beside the
  // sandbox's own (a runtime's configuration, a package database).
  std::vector<std::string> readonly_paths;
  // NAME=VALUE added to the environment of the compiler and the program;
  // {memory_mb} is the run's memory limit in MiB.
  std::vector<std::string> env;
  // Of languages sharing an extension, a file whose first line matches this
  // (ECMAScript regex) is this language's.
  std::string shebang;
  // The judged program may start other programs (a shell script's tools).
  bool allow_exec = false;
  // Its limit on open files (RLIMIT_NOFILE): R will not start under 160.
  int open_files = 64;
  // The JVM class preferred as {main_class}: {stem} the main source's name
  // without extension, {Stem} the same capitalized (Kotlin's file class).
  std::string main_class = "{stem}";
};

class LanguageTable {
 public:
  // Throws ConfigError naming the file and the entry at fault.
  static LanguageTable load(const std::filesystem::path& file);
  // The table shipped with pipejudge ($PIPEJUDGE_LANGUAGES overrides), with
  // the site's choices (site_config.hpp) for `problem` (its short name;
  // empty: the site-wide ones) applied. The file is parsed again only when
  // it has changed (path, size or modification time).
  static LanguageTable load_default(const std::string& problem = "");

  // A language by id, or by the name of a choice ("python": the id the site
  // chose for it).
  const Language* find(const std::string& id) const;
  // The language of a source file by its extension. Of several languages
  // that claim it: the one whose `shebang` matches the file's first line,
  // else the chosen one, else the only one without a `shebang`. Null for an
  // extension no language claims; ConfigError if it stays ambiguous.
  const Language* for_file(const std::filesystem::path& file) const;
  // Whether some language claims the extension ("cpp", no dot).
  bool claims(const std::string& ext) const;
  // Makes `name` (a choice such as "python") stand for language `id`, which
  // wins the extensions it shares with others. Throws std::invalid_argument
  // for an unknown id.
  void choose(const std::string& name, const std::string& id);
  std::vector<std::string> ids() const;
  const std::map<std::string, Language>& all() const { return languages_; }

 private:
  std::map<std::string, Language> languages_;
  std::map<std::string, std::string> choices_;  // choice name -> language id
};

// The main class a JVM language prefers for a main source named `stem`.
std::string preferred_main_class(const Language& lang, const std::string& stem);

// Replaces {memory_mb} with the run's memory limit in MiB: runtimes that
// manage their own heap (the JVM) are told the limit in their run command.
std::vector<std::string> expand_memory_limit(std::vector<std::string> argv, std::uint64_t bytes);

// Expands {source}, {sources}, {binary} in a command template, and the
// word {options} to `options`, one argument each (to nothing when empty).
std::vector<std::string> expand_command(const std::vector<std::string>& tmpl,
                                        const std::vector<std::string>& sources,
                                        const std::string& binary,
                                        const std::vector<std::string>& options = {});

// Whether the language's compile command has the word {options}: whether a
// submission may add options for its compiler.
bool takes_compiler_options(const Language& lang);

// Longest compiler options a submission may give (Judge0's limit).
inline constexpr std::size_t kMaxCompilerOptionsBytes = 512;

// A submission's compiler options ("-O3 -DLOCAL") as the words of {options}:
// split at spaces and tabs, with no shell in between. Text a shell would
// read otherwise is refused rather than guessed at: quotes, backslashes,
// $ & ; | < > ( ) and backquotes, control characters (NUL, newlines) and
// bytes outside ASCII; so is text over kMaxCompilerOptionsBytes. nullopt
// then, with `why` set (a message for the field).
std::optional<std::vector<std::string>> split_compiler_options(std::string_view text,
                                                               std::string& why);

}  // namespace pj::judge
