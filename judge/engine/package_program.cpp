#include "judge/engine/package_program.hpp"

#include <algorithm>
#include <optional>
#include <stdexcept>

#include "judge/engine/error.hpp"
#include "judge/engine/languages.hpp"
#include "judge/engine/submission.hpp"

namespace fs = std::filesystem;

namespace pj::judge {
namespace {

// A program directory with `build` and/or `run` scripts (the package
// format's escape hatch): `sh build` compiles in the sandbox like a
// compiler; `run` (a built binary or a shell script) is the program.
std::optional<Language> scripts_language(const fs::path& dir) {
  if (!fs::is_directory(dir)) return std::nullopt;
  bool build = fs::is_regular_file(dir / "build"), run = fs::is_regular_file(dir / "run");
  if (!build && !run) return std::nullopt;
  Language lang;
  lang.id = build ? "package-build-script" : "package-run-script";
  lang.name = "the package's build/run scripts";
  if (build) lang.compile = {"/bin/sh", "build"};
  lang.run = {"/bin/sh", "-c",
              "if [ -x ./run ]; then exec ./run \"$@\"; else exec /bin/sh ./run \"$@\"; fi", "run"};
  return lang;
}

}  // namespace

CompileResult compile_package_program(const fs::path& path, Workspace& ws,
                                      const fs::path& cache_dir, const std::string& name) {
  LanguageTable languages = LanguageTable::load_default();
  std::optional<Language> scripts = scripts_language(path);
  Submission source;
  try {
    if (scripts) {
      source.path = path;
      source.language = &*scripts;
      for (const auto& e : fs::directory_iterator(path))
        if (e.is_regular_file()) source.sources.push_back(e.path());
      std::sort(source.sources.begin(), source.sources.end());
    } else {
      source = load_submission(path, "", languages);
      require_toolchain(source);
    }
  } catch (const ConfigError& e) {
    throw std::runtime_error(e.file() + ": " + e.what());
  }
  CompileResult r = Compiler(cache_dir).compile(source, ws, name);
  if (r.status != CompileResult::Status::Ok) {
    std::string why = path.string() + " does not compile: " + r.reason;
    if (!r.diagnostics.empty()) why += "\n" + r.diagnostics;
    throw std::runtime_error(why);
  }
  return r;
}

sandbox::Spec package_program_spec(const Problem& p, const CompileResult& program,
                                   const fs::path& box, const RunIdentity& id) {
  sandbox::Spec spec;
  set_program(spec, program, p.validation_memory_bytes);
  spec.workdir = box;
  spec.stdout_to = sandbox::Output::capture(kMaxProgramMessage);
  spec.stderr_to = sandbox::Output::capture(4 << 10);
  spec.limits.cpu_seconds = p.validation_seconds;
  spec.limits.memory_bytes = p.validation_memory_bytes;
  spec.limits.output_bytes = 8 << 20;
  spec.limits.file_bytes = 64 << 20;
  spec.limits.processes = 64;
  spec.limits.open_files = 64;
  spec.uid = id.uid;
  spec.cpu = id.cpu;
  spec.gid = id.gid;
  return spec;
}

}  // namespace pj::judge
