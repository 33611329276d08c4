// `pipejudge verify DIR...`: every bundled submission of each package gets
// its category's verdict, the input validators accept every input, and the
// slowest accepted time is measured against the time limit. Exit 0 if all
// holds, 1 if anything does not, 2 for a package that cannot be read.
#include <cstdio>

#include "judge/cli.hpp"
#include "judge/error.hpp"
#include "judge/verify.hpp"

namespace pj::judge {

void add_verify_command(CLI::App& app, int& status) {
  struct Options {
    std::vector<std::string> problems;
    std::string cache_dir;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "verify", "Check problem packages: their submissions, input validators and time limit");
  cmd->add_option("problem", opt->problems, "problem package directories")->required();
  cmd->add_option("--cache-dir", opt->cache_dir, "compile cache directory");
  cmd->callback([opt, &status] {
    VerifyOptions options;
    options.cache_dir = opt->cache_dir;
    status = kExitAccepted;
    std::size_t good = 0;
    for (const auto& dir : opt->problems) {
      try {
        if (verify_problem(dir, options, stdout)) {
          ++good;
        } else if (status == kExitAccepted) {
          status = kExitRejected;
        }
      } catch (const ConfigError& e) {
        std::fflush(stdout);
        std::fprintf(stderr, "pipejudge: %s: %s\n", e.file().c_str(), e.what());
        status = kExitUsage;
      }
    }
    std::printf("verify: %zu of %zu problems as their packages say\n", good, opt->problems.size());
  });
}

}  // namespace pj::judge
