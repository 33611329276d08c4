// Compiling a submission in the sandbox, with a cache keyed by content hash.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "judge/engine/submission.hpp"
#include "judge/engine/workspace.hpp"
#include "sandbox/sandbox.hpp"

namespace pj::judge {

struct CompileResult {
  enum class Status { Ok, CompileError, JudgeError };
  Status status = Status::Ok;
  bool cached = false;
  double seconds = 0;                       // CPU time of the compiler (0 when cached)
  std::string diagnostics;                  // compiler output, truncated to kMaxDiagnostics
  std::string reason;                       // for CompileError/JudgeError: one line
  std::filesystem::path program_dir;        // compiled files, ready to hand to runs
  std::vector<std::string> run_argv;        // the command that runs the program
  std::vector<std::string> run_env;         // its whole environment ({memory_mb} unexpanded)
  std::vector<std::string> readonly_paths;  // the language's, beside the sandbox's own
  bool allow_exec = false;                  // the language lets the program exec
};

// The environment of the language's compiler and programs: the sandbox's
// (program_environment()) with the language's `env` ({memory_mb} unexpanded).
std::vector<std::string> language_environment(const Language& lang);

// Sets what runs the compiled program in `spec`: argv and environment (with
// `memory_bytes`, the run's memory limit, for {memory_mb}), its files and
// the language's read-only paths. Not `allow_exec`: the caller decides.
void set_program(sandbox::Spec& spec, const CompileResult& program, std::uint64_t memory_bytes);

// Compiler output kept and shown; the rest is cut with a note.
inline constexpr std::size_t kMaxDiagnostics = 64 << 10;

class Compiler {
 public:
  // `cache_dir` empty: default_cache_dir().
  explicit Compiler(std::filesystem::path cache_dir = {});

  // Compiles into `ws` (or reuses the cache). Never throws for a bad
  // submission: that is a CompileError; trouble of our own is a JudgeError.
  // The program lands in <workspace>/<name>. `options`: the words of the
  // language's {options} (RunOptions::compiler_options); a language
  // without {options} makes any a CompileError.
  CompileResult compile(const Submission& s, Workspace& ws, const std::string& name = "program",
                        const std::vector<std::string>& options = {});

  // $PIPEJUDGE_CACHE_DIR, else /var/cache/pipejudge for root, else
  // $XDG_CACHE_HOME/pipejudge or ~/.cache/pipejudge.
  static std::filesystem::path default_cache_dir();

  // Hex SHA-256 of language, its commands, the compiler options and every
  // source (name and bytes).
  static std::string cache_key(const Submission& s, const std::vector<std::string>& options = {});

 private:
  // Compiles, or copies the cached program.
  CompileResult build(const Submission& s, Workspace& ws, const std::string& name,
                      const std::vector<std::string>& options);
  void find_entry_point(const Submission& s, CompileResult& r);

  std::filesystem::path cache_dir_;
};

}  // namespace pj::judge
