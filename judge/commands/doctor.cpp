#include "judge/commands/cli.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>

#include "judge/engine/workspace.hpp"
#include "sandbox/sandbox.hpp"

namespace pj::judge {
namespace {

const char* yes_no(bool b) {
  return b ? "yes" : "no";
}

void print_report() {
  utsname u{};
  uname(&u);
  sandbox::Protections p = sandbox::protections();
  RunIdentity id = RunIdentity::for_slot(0);
  std::printf("pipejudge doctor\n");
  std::printf("  kernel              %s %s\n", u.sysname, u.release);
  std::printf("  running as          uid %u%s\n", geteuid(), geteuid() == 0 ? " (root)" : "");
  std::printf("  cgroups             %s (memory %s, pids %s, cpu %s)%s%s\n",
              p.cgroups.version.c_str(), yes_no(p.cgroups.memory), yes_no(p.cgroups.pids),
              yes_no(p.cgroups.cpu), p.cgroups.reason.empty() ? "" : "\n                      ",
              p.cgroups.reason.c_str());
  std::printf("  namespaces          %s\n",
              p.namespaces ? "pid, mount, net, ipc, uts: private root, no network" : "no");
  std::printf("  seccomp             %s\n",
              p.seccomp ? "yes: forbidden syscalls end the run, named" : "no");
  if (id.uid)
    std::printf("  run identity        uid/gid %u + slot (one per concurrent run slot)\n", *id.uid);
  else
    std::printf("  run identity        the caller's (not root)\n");
  std::printf(
      "  will use            %s\n",
      p.namespaces && p.cgroups.version != "none"
          ? "full isolation: namespaces, private filesystem, cgroup limits, seccomp, own uid"
          : "reduced isolation (see below)");
  if (!p.warnings.empty()) std::printf("\nprotections that are off:\n%s", p.warnings.c_str());
}

}  // namespace

void add_doctor_command(CLI::App& app, int& status) {
  auto* cmd =
      app.add_subcommand("doctor", "Show what this machine supports and what pipejudge will use");
  cmd->callback([&status] {
    print_report();
    status = 0;
  });
}

}  // namespace pj::judge
