// `pipejudge run [limits] -- CMD ARGS`: one command under the sandbox, the
// result as a flat JSON record (the tool to debug a limit).
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "judge/commands/cli.hpp"
#include "judge/commands/options.hpp"
#include "judge/engine/run_slots.hpp"
#include "judge/engine/workspace.hpp"
#include "sandbox/sandbox.hpp"

extern char** environ;

namespace pj::judge {

void add_run_command(CLI::App& app, int& status) {
  struct Options {
    sandbox::Limits limits;
    double memory_mib = 256, stack_mib = 0, output_mib = 64;
    std::string stdin_file, stdout_file, dir = ".";
    bool keep_env = false, as_caller = false;
    std::vector<std::string> command;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd =
      app.add_subcommand("run", "Run one command in the sandbox and print the result as JSON");
  cmd->add_option("--time", opt->limits.cpu_seconds, "CPU time limit, seconds (0: none)")
      ->capture_default_str();
  cmd->add_option("--wall-time", opt->limits.wall_seconds,
                  "wall time limit, seconds (0: 2*time, at least time+1)")
      ->capture_default_str();
  cmd->add_option("--memory", opt->memory_mib, "peak memory limit, MiB (0: none)")
      ->capture_default_str();
  cmd->add_option("--stack", opt->stack_mib, "stack size, MiB (0: as memory)")
      ->capture_default_str();
  cmd->add_option("--processes", opt->limits.processes, "processes+threads (needs root)")
      ->capture_default_str();
  cmd->add_option("--output", opt->output_mib, "stdout+stderr limit, MiB (0: none)")
      ->capture_default_str();
  cmd->add_option("--open-files", opt->limits.open_files, "open files limit")
      ->capture_default_str();
  cmd->add_option("--stdin", opt->stdin_file, "file fed to stdin (default: empty)");
  cmd->add_option("--stdout", opt->stdout_file, "write stdout to this file (default: in the JSON)");
  cmd->add_option("--dir", opt->dir, "working directory (isolated: mounted as /box)")
      ->capture_default_str();
  cmd->add_flag("--keep-env", opt->keep_env, "pass our environment (default: PATH only)");
  cmd->add_flag("--as-caller", opt->as_caller, "keep our uid (default for root: run uid 60000)");
  cmd->add_option("command", opt->command, "command and arguments (after --)")->required();
  add_insecure_option(cmd);
  cmd->callback([opt, &status] {
    sandbox::Spec spec;
    spec.argv = opt->command;
    if (opt->keep_env) {
      for (char** e = environ; *e; ++e) spec.env.emplace_back(*e);
    } else {
      spec.env = {"PATH=/usr/local/bin:/usr/bin:/bin"};
    }
    spec.workdir = opt->dir;
    spec.share_workdir = true;  // isolated: DIR itself is the work directory /box
    spec.limits = opt->limits;
    spec.limits.memory_bytes = static_cast<std::uint64_t>(opt->memory_mib * (1 << 20));
    spec.limits.stack_bytes = static_cast<std::uint64_t>(opt->stack_mib * (1 << 20));
    spec.limits.output_bytes = static_cast<std::uint64_t>(opt->output_mib * (1 << 20));
    if (!opt->stdin_file.empty()) spec.stdin_from = sandbox::Input::file(opt->stdin_file);
    if (!opt->stdout_file.empty()) spec.stdout_to = sandbox::Output::file(opt->stdout_file);
    std::optional<RunSlot> slot;
    if (!opt->as_caller) {
      slot = RunSlot::take_for_command("run");
      RunIdentity id = RunIdentity::for_slot(slot->number());
      spec.uid = id.uid;
      spec.cpu = id.cpu;
      spec.gid = id.gid;
    }
    sandbox::Result r = sandbox::run(spec);
    std::cout << sandbox::to_json(r) << "\n";
    status = r.error.empty() ? kExitAccepted : kExitUsage;
    if (r.error.empty() && !r.ok()) status = kExitRejected;
  });
}

}  // namespace pj::judge
