#include "judge/commands/cli.hpp"
#include "judge/commands/options.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "judge/engine/run_slots.hpp"
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
  std::printf("  cgroups             %s (memory %s, pids %s, cpu %s, cpuset %s)%s%s\n",
              p.cgroups.version.c_str(), yes_no(p.cgroups.memory), yes_no(p.cgroups.pids),
              yes_no(p.cgroups.cpu), yes_no(p.cgroups.cpuset),
              p.cgroups.reason.empty() ? "" : "\n                      ", p.cgroups.reason.c_str());
  std::string cores;
  for (int cpu : judging_cpus()) cores += (cores.empty() ? "" : ",") + std::to_string(cpu);
  std::printf("  run slots           %d (slot N runs on the Nth of cores %s only: %s)\n",
              max_run_slots(), cores.c_str(),
              p.cgroups.cpuset ? "cpuset and affinity" : "affinity, no cpuset cgroup");
  std::printf("  namespaces          %s\n",
              !p.namespaces ? "no"
              : p.user_namespace
                  ? "user (the caller's uid mapped to itself), pid, mount, net, ipc, "
                    "uts: private root, no network"
                  : "pid, mount, net, ipc, uts: private root, no network");
  std::printf("  memory              %s\n",
              p.memory == "cgroup"
                  ? "the slot's cgroup: every process, page cache and tmpfs files; OOM kill is MLE"
                  : "sampled: the resident memory of every process of the run, killed over the "
                    "limit (MLE)");
  std::printf("  seccomp             %s\n",
              p.seccomp ? "yes: forbidden syscalls end the run, named" : "no");
  if (id.uid)
    std::printf("  run identity        uid/gid %u + slot (one per concurrent run slot)\n", *id.uid);
  else if (p.user_namespace)
    std::printf(
        "  run identity        the caller's, in a user namespace of the slot's own: no "
        "capabilities, RLIMIT_NPROC counts only the run\n");
  else
    std::printf("  run identity        the caller's (not root)\n");
  const char* mode = "none: judging is refused";
  const char* why =
      "runs cannot be isolated here (see below); --insecure judges without isolation, where "
      "the program could read the answers";
  if (!p.namespaces && sandbox::settings().allow_plain) {
    mode = "plain (--insecure)";
    why = "no namespaces: runs see the host's files and network; every report says so";
  }
  if (p.namespaces && !p.user_namespace) {
    mode = "isolated (root)";
    why = p.cgroups.version != "none"
              ? "namespaces, private filesystem, cgroup limits, seccomp, own uid"
              : "namespaces, private filesystem, seccomp, own uid; no cgroup (see below)";
  } else if (p.namespaces) {
    mode = "isolated (user namespace)";
    why = p.cgroups.version != "none"
              ? "not root, user namespaces work: namespaces, private filesystem, seccomp, "
                "limits by a delegated cgroup"
              : "not root, user namespaces work: namespaces, private filesystem, seccomp; "
                "no writable cgroup of our own, so memory is sampled";
  }
  std::printf("  will use            %s\n                      %s\n", mode, why);
  if (!p.warnings.empty()) std::printf("\nprotections that are off:\n%s", p.warnings.c_str());
}

}  // namespace

void add_doctor_command(CLI::App& app, int& status) {
  auto* cmd =
      app.add_subcommand("doctor", "Show what this machine supports and what pipejudge will use");
  add_insecure_option(cmd);
  cmd->callback([&status] {
    print_report();
    status = 0;
  });
}

}  // namespace pj::judge
