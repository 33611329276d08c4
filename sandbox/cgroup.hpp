// Control groups for run slots: memory/pids limits and exact accounting of a
// whole run (every process it starts), on cgroup v2 or v1, chosen at run time.
//
// Layout: each judge creates its cgroups under its *own* cgroup (per hierarchy
// on v1), at <own>/pipejudge/<slot name>. Nesting under our own cgroup keeps the
// runs inside whatever limits the judge itself lives under (a container, a
// systemd unit) and keeps judges in different cgroups out of each other's way.
//
// Memory accounting includes kernel memory on both versions: v2 charges it to
// memory.current/memory.max; v1 has charged it to memory.usage_in_bytes and
// memory.limit_in_bytes for every cgroup since Linux 4.6, and the separate
// memory.kmem.limit_in_bytes is deprecated (5.16) and a no-op on 6.x, so we
// never write it.
//
// The code: cgroup.cpp (detection, names, what slots do alike on both
// versions), cgroup_v1.cpp and cgroup_v2.cpp (what differs, behind the
// internal CgroupSlotOps of cgroup_version.hpp, chosen once per slot), and
// cgroup_files.cpp (file I/O and parsing they share).
//
// Only a process allowed to write the hierarchy (root, or the owner of a
// delegated v2 subtree) can use this; otherwise detection says None and the
// caller falls back to rlimits.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace pj::sandbox {

enum class CgroupVersion { None, V1, V2 };
const char* cgroup_version_name(CgroupVersion v);  // "none", "v1", "v2"

struct CgroupSupport {
  CgroupVersion version = CgroupVersion::None;
  // v2: our own cgroup directory; slots go to <v2_root>/pipejudge/<name>.
  std::string v2_root;
  // v1: our own cgroup directory in each hierarchy (mount point joined with our
  // path from /proc/self/cgroup); empty when the controller is not mounted.
  std::string v1_memory, v1_pids, v1_cpuacct, v1_cpuset;
  bool memory = false;  // memory limit, peak and OOM events
  bool pids = false;    // process limit and its events
  bool cpu = false;     // CPU time of the whole cgroup (v2 cpu.stat, v1 cpuacct.usage)
  // Which CPUs a slot may use (v1 cpuset hierarchy, v2 cpuset controller);
  // optional: without it runs are pinned by sched_setaffinity alone.
  bool cpuset = false;
  // v2: kill_all() may use cgroup.kill (see probe_cgroup_kill()).
  bool cgroup_kill = false;
  // For `pipejudge doctor`: why None, what is missing, or why v2 was not used.
  std::string reason;
};

// Finds what this process may use, from <proc_root>/self/mountinfo and
// <proc_root>/self/cgroup. Mount points at or under /sys/fs/cgroup are looked
// up under `sys_fs_cgroup` instead, so tests can point both at a fake tree.
//
// Prefers v2 when our cgroup offers the memory and pids controllers and we may
// write it; like the root of a delegated subtree, it then enables them in our
// cgroup.subtree_control (which fails, and v2 is rejected, if our non-root
// cgroup holds processes: the kernel's "no internal processes" rule). Else v1
// when memory and pids are mounted and writable (cpuacct and cpuset
// optional). Else None. On v2 cpuset is enabled too where our cgroup offers
// it (optional as well). Never moves any process; on v2 it runs
// probe_cgroup_kill().
CgroupSupport detect_cgroups(const std::string& proc_root = "/proc",
                             const std::string& sys_fs_cgroup = "/sys/fs/cgroup");

// Whether slots under `v2_root` may be killed with cgroup.kill: it exists
// (5.14+) and a cgroup it was written to still accepts clone3(CLONE_INTO_CGROUP)
// children. Some kernels (6.18 here) SIGKILL every child cloned into a cgroup
// that cgroup.kill was *ever* written to (a stale kill_seq snapshot, fixed
// upstream by "cgroup: fix spurious SIGKILL of CLONE_INTO_CGROUP children"),
// which would break a reused slot for good. Tries it on a scratch cgroup
// <v2_root>/pipejudge/probe-<pid>-<n>[-ns<inode>] with one child that exits at once; `why`
// gets the reason when the answer is no.
bool probe_cgroup_kill(const std::string& v2_root, std::string* why = nullptr);

// "slot-<our pid>-<index>", the name cleanup_stale_cgroups() understands; outside
// the initial pid namespace "-ns<pid namespace inode>" is appended, so judges
// in different pid namespaces (each pid 1 of its container, say) sharing a
// hierarchy never pick the same name.
std::string slot_cgroup_name(int index);

// A slot's cumulative counters, from which usage() subtracts those of reset().
struct CgroupCounters {
  std::uint64_t cpu_ns = 0;
  std::uint64_t oom_kills = 0;  // memory.failcnt on v1 before 4.13
  std::uint64_t pids_max_events = 0;
};

class CgroupSlotOps;  // what differs per version (cgroup_version.hpp)

// The cgroup of one run slot, created once and reused for every run of the slot
// (creating and removing a cgroup per run costs too much on the per-test path).
// Not thread-safe: one run at a time per slot.
//
// Per run: reset(); start the program inside (add() before it allocates, or
// clone3 with CLONE_INTO_CGROUP and v2_dir_fd()); wait; kill_all(); usage().
class SlotCgroup {
 public:
  // Creates (or adopts, killing what is inside) <root>/pipejudge/<name> in every
  // hierarchy `s` offers. v2: memory.oom.group = 1, so an OOM kills every
  // process of the slot (a run never limps on with a part missing; keep the
  // keeper outside the slot). v1: memory.swappiness = 0. Throws
  // std::system_error naming the file that failed; then the caller falls back
  // to rlimits.
  static std::unique_ptr<SlotCgroup> create(const CgroupSupport& s, const std::string& name);
  SlotCgroup(const SlotCgroup&) = delete;
  SlotCgroup& operator=(const SlotCgroup&) = delete;
  // Kills whatever is left inside and removes the directories (errors ignored).
  ~SlotCgroup();

  // 0 means no limit. v2: memory.max, memory.swap.max = 0, pids.max.
  // v1: memory.limit_in_bytes, then memory.memsw.limit_in_bytes to the same
  // value when swap accounting exists (no swapping either), pids.max.
  // Call while the slot is empty. Throws std::system_error.
  void set_limits(std::uint64_t memory_bytes, int max_pids);

  // Before a run (slot empty): restarts the memory peak from the slot's current
  // usage (charges earlier runs left, e.g. page cache of files they wrote, stay
  // until reclaimed) and takes the CPU/OOM/pids-event baselines that usage()
  // subtracts. Throws std::system_error.
  void reset();

  // Confines the slot to one CPU (`cpu` >= 0) or gives it every CPU of the
  // judge's own cpuset (-1): cpuset.cpus of the slot (v1: the hierarchy's
  // pipejudge/ directory got the judge's cpus and mems at create()). A no-op
  // without cpuset. Call while the slot is empty. Throws std::system_error.
  void set_cpu(int cpu);
  bool has_cpuset() const;

  // Moves a process into the slot (in every hierarchy). Memory it already
  // charged stays where it was. Throws std::system_error.
  void add(pid_t pid);

  // O_PATH directory fd of the v2 cgroup for clone3(CLONE_INTO_CGROUP); -1 on v1.
  int v2_dir_fd() const;

  struct Usage {
    double cpu_seconds = 0;         // user+sys of every process since reset()
    std::uint64_t memory_peak = 0;  // 0 when unknown (see below)
    bool oom_killed = false;        // the OOM killer killed something of the slot
    bool pids_limited = false;      // a fork/clone failed on the pids limit
  };
  // Since the last reset(). CPU: cpu.stat usage_usec (v2) / cpuacct.usage (v1).
  // Peak: memory.peak through our own fd (v2, reset per fd since Linux 6.12;
  // older kernels cannot give a per-run peak: 0, use rusage) /
  // memory.max_usage_in_bytes (v1). OOM: memory.events oom_kill (v2) /
  // memory.oom_control oom_kill (v1; memory.failcnt before 4.13). Pids:
  // pids.events max. Counters the kernel lacks read as 0. Throws std::system_error.
  Usage usage() const;

  // SIGKILLs everything in the slot: cgroup.kill on v2 when `cgroup_kill`
  // allows, else (and on v1, which has no atomic kill and needs no freezer here
  // since pids.max bounds forks) signals every pid of cgroup.procs until none is
  // left. Waits up to about a second for the processes to leave. Returns empty().
  bool kill_all();
  bool empty() const;

  const std::string& name() const { return name_; }
  // The slot's directories: the v2 cgroup, or memory, pids, cpuacct, cpuset on v1.
  const std::vector<std::string>& dirs() const;
  // For each of dirs(), the file a single-threaded process writes "0" to, to
  // move itself into the slot (the cheapest way the version offers).
  std::vector<std::string> self_join_paths() const;

 private:
  SlotCgroup(std::string name, std::unique_ptr<CgroupSlotOps> ops);

  std::string name_;
  std::unique_ptr<CgroupSlotOps> ops_;  // the version's, chosen at create()
  CgroupCounters baseline_;
};

// Removes the slots of judges that died without cleaning up: every
// <root>/pipejudge/slot-<pid>-<n> (or a probe's scratch cgroup) named in our pid
// namespace (see slot_cgroup_name()) whose pid no longer exists. Kills their
// processes first. Returns how many it removed. Never throws. A pid reused by
// an unrelated process keeps its stale slot until that process is gone too.
int cleanup_stale_cgroups(const CgroupSupport& s);

// Parsing helpers, exposed for tests. "key value" lines (cpu.stat,
// memory.events, pids.events, memory.oom_control); missing key or unparsable
// value -> 0.
std::uint64_t read_keyed_value(const std::string& text, const std::string& key);

}  // namespace pj::sandbox
