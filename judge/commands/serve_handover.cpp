// `pipejudge serve ...`: runs pipejudge-serve, beside this program, with
// the same command line (see cli.hpp).
#include <string.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string>
#include <vector>

#include "judge/commands/cli.hpp"
#include "judge/engine/error.hpp"

namespace pj::judge {

void add_serve_handover(CLI::App& app) {
  auto* cmd = app.add_subcommand("serve", kServeSummary);
  cmd->prefix_command();  // every word after `serve` is the server's,
  cmd->set_help_flag();   // --help included
  cmd->callback([cmd] {
    std::filesystem::path server =
        std::filesystem::read_symlink("/proc/self/exe").parent_path() / "pipejudge-serve";
    std::vector<std::string> words = {"pipejudge", "serve"};
    for (const auto& word : cmd->remaining()) words.push_back(word);
    std::vector<char*> argv;
    for (auto& word : words) argv.push_back(word.data());
    argv.push_back(nullptr);
    execv(server.c_str(), argv.data());
    throw ConfigError(server.string(), std::string("cannot run the server: ") + strerror(errno));
  });
}

}  // namespace pj::judge
