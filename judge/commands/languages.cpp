// `pipejudge languages`: every language of the table, its extensions, the
// version installed or what is missing (and the Debian package to install).
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "judge/commands/cli.hpp"
#include "judge/engine/languages.hpp"
#include "judge/engine/toolchains.hpp"

namespace pj::judge {
namespace {

std::string extensions_of(const Language& lang) {
  std::string out;
  for (const auto& e : lang.extensions) out += (out.empty() ? "." : " .") + e;
  return out;
}

void print_table(const std::vector<ToolchainStatus>& all) {
  std::printf("%-11s %-29s %-24s %s\n", "id", "language", "extensions", "installed");
  std::size_t missing = 0;
  for (const auto& s : all) {
    const Language& lang = *s.language;
    std::string state = s.missing            ? "MISSING: " + *s.missing
                        : !s.version.empty() ? s.version
                        : !s.version_error.empty()
                            ? "installed (version unknown: " + s.version_error + ")"
                            : "installed";
    missing += s.missing ? 1 : 0;
    std::printf("%-11s %-29s %-24s %s\n", lang.id.c_str(), lang.name.c_str(),
                extensions_of(lang).c_str(), state.c_str());
  }
  std::printf("%zu languages, %zu installed, %zu missing\n", all.size(), all.size() - missing,
              missing);
}

void print_json(const std::vector<ToolchainStatus>& all) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : all) {
    const Language& lang = *s.language;
    out.push_back({{"id", lang.id},
                   {"name", lang.name},
                   {"extensions", lang.extensions},
                   {"debian_package", lang.debian_package},
                   {"installed", !s.missing},
                   {"missing", s.missing ? nlohmann::json(*s.missing) : nlohmann::json(nullptr)},
                   {"version", s.version},
                   {"time_factor", lang.time_factor},
                   {"memory_factor", lang.memory_factor}});
  }
  std::cout << out.dump(1) << std::endl;
}

}  // namespace

void add_languages_command(CLI::App& app, int& status) {
  auto json = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand(
      "languages", "List the languages: extensions, the version installed or what is missing");
  cmd->add_flag("--json", *json, "print a JSON array instead of the table");
  cmd->callback([json, &status] {
    LanguageTable languages = LanguageTable::load_default();
    std::vector<ToolchainStatus> all = survey_toolchains(languages);
    if (*json) {
      print_json(all);
    } else {
      print_table(all);
    }
    status = kExitAccepted;
  });
}

}  // namespace pj::judge
