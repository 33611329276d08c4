#include "judge/engine/toolchains.hpp"

#include "judge/engine/compile.hpp"
#include "judge/engine/program_failure.hpp"
#include "judge/engine/submission.hpp"
#include "judge/engine/workspace.hpp"
#include "sandbox/sandbox.hpp"

namespace pj::judge {
namespace {

// The first line of `text` that is neither blank nor a warning (the JVM's
// about options of kotlinc's launcher), trimmed.
std::string first_line(const std::string& text) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    auto b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos || line.find("warning:") != std::string::npos) continue;
    return line.substr(b, line.find_last_not_of(" \t\r") - b + 1);
  }
  return {};
}

void ask_version(const Language& lang, Workspace& ws, ToolchainStatus& status) {
  sandbox::Spec spec;
  spec.argv = lang.version;
  spec.env = expand_memory_limit(language_environment(lang), 1ull << 30);
  spec.readonly_paths = lang.readonly_paths;
  spec.workdir = ws.make_box("version-" + lang.id);
  spec.limits.cpu_seconds = 30;
  spec.limits.wall_seconds = 60;
  spec.limits.memory_bytes = 1ull << 30;
  spec.limits.processes = 64;
  spec.limits.output_bytes = 1 << 20;
  spec.stdout_to = sandbox::Output::capture(4 << 10);
  spec.stderr_to = sandbox::Output::capture(4 << 10);
  spec.uid = ws.identity().uid;
  spec.gid = ws.identity().gid;
  sandbox::Result res = sandbox::run(spec);
  ws.remove_box(spec.workdir);
  // Some print it on stderr (java -version), some with a zero exit only.
  status.version = first_line(res.stdout_data);
  if (status.version.empty()) status.version = first_line(res.stderr_data);
  if (!res.ok() && status.version.empty())
    status.version_error = program_failure("'" + lang.version.front() + "'", res, spec.limits);
}

}  // namespace

std::vector<ToolchainStatus> survey_toolchains(const LanguageTable& languages) {
  std::vector<ToolchainStatus> out;
  Workspace ws(RunIdentity::for_slot(0));
  for (const auto& [id, lang] : languages.all()) {
    ToolchainStatus status;
    status.language = &lang;
    status.missing = missing_toolchain(lang);
    if (!status.missing && !lang.version.empty()) ask_version(lang, ws, status);
    out.push_back(std::move(status));
  }
  return out;
}

}  // namespace pj::judge
