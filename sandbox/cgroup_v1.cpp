// cgroup v1: one hierarchy per controller (memory, pids, cpuacct, cpuset),
// each mounted on its own. Detection (memory and pids mounted and writable,
// cpuacct and cpuset optional) and a slot's operations: a directory per
// hierarchy; memory.limit_in_bytes with memory.memsw.limit_in_bytes, pids.max,
// cpuacct.usage, memory.oom_control, memory.max_usage_in_bytes, cpuset.cpus.
// v1 has no atomic kill: SlotCgroup signals every member (pids.max bounds
// the forks).
#include <algorithm>
#include <cerrno>
#include <optional>

#include "sandbox/cgroup_version.hpp"
#include "sandbox/errors.hpp"

namespace pj::sandbox {

using namespace cgroupfs;

namespace {

// A new v1 cpuset starts with no CPUs and no memory nodes (unless the
// parent's cgroup.clone_children says otherwise), and takes no task so:
// copies the parent's where the child has none. Throws std::system_error.
void inherit_cpuset(const std::string& parent, const std::string& child) {
  for (const char* file : {"cpuset.cpus", "cpuset.mems"}) {
    std::string mine;
    if (int err = read_file(child + "/" + file, mine))
      throw_errno(err, "cannot read " + child + "/" + file);
    if (!trim(mine).empty()) continue;
    std::string theirs;
    if (int err = read_file(parent + "/" + file, theirs))
      throw_errno(err, "cannot read " + parent + "/" + file);
    write_or_throw(child + "/" + file, std::string(trim(theirs)));
  }
}

class V1SlotOps final : public CgroupSlotOps {
 public:
  void create(const CgroupSupport& s, const std::string& name) override {
    auto slot_in = [&](bool wanted, const std::string& root) -> std::string {
      if (!wanted || root.empty()) return {};
      make_dir(root + "/" + kBaseDir);
      std::string dir = root + "/" + kBaseDir + "/" + name;
      add_dir(dir);
      return dir;
    };
    memory_dir_ = slot_in(s.memory, s.v1_memory);
    pids_dir_ = slot_in(s.pids, s.v1_pids);
    cpu_dir_ = slot_in(s.cpu, s.v1_cpuacct);
    if (dirs_.empty()) throw_errno(EINVAL, "no v1 hierarchy to create " + name + " in");
    // Swapping would make runs slow instead of over the limit.
    if (!memory_dir_.empty()) write_if_exists(memory_dir_ + "/memory.swappiness", "0");
    if (s.cpuset && !s.v1_cpuset.empty()) create_cpuset(s.v1_cpuset, name);
    // Read (and the peak reset) at every run: kept open.
    if (!cpu_dir_.empty()) cpu_usage_.open(cpu_dir_ + "/cpuacct.usage");
    if (!memory_dir_.empty()) {
      oom_control_.open(memory_dir_ + "/memory.oom_control");
      failcnt_.open(memory_dir_ + "/memory.failcnt");
      max_usage_.open(memory_dir_ + "/memory.max_usage_in_bytes", true);
    }
    if (!pids_dir_.empty()) pids_events_.open(pids_dir_ + "/pids.events");
  }

  void set_cpu(int cpu) override {
    write_or_throw(cpuset_dir_ + "/cpuset.cpus", cpu >= 0 ? std::to_string(cpu) : all_cpus_);
  }

  void set_limits(std::uint64_t memory_bytes, int max_pids) override {
    if (!memory_dir_.empty()) {
      // memsw must stay >= the memory limit at every step: lift it, set the
      // limit, then bring memsw down to it (memory + swap = memory: no swap).
      std::string memsw = memory_dir_ + "/memory.memsw.limit_in_bytes";
      bool has_memsw = write_if_exists(memsw, "-1");
      write_or_throw(memory_dir_ + "/memory.limit_in_bytes", limit_text(memory_bytes, "-1"));
      if (has_memsw && memory_bytes != 0) write_or_throw(memsw, std::to_string(memory_bytes));
    }
    if (!pids_dir_.empty()) write_pids_max(pids_dir_, max_pids);
  }

  void reset_memory_peak() override {
    if (!memory_dir_.empty()) {
      if (!max_usage_.exists())
        throw_errno(ENOENT, "no " + memory_dir_ + "/memory.max_usage_in_bytes");
      max_usage_.write("0");
    }
  }

  CgroupCounters read_counters() const override {
    CgroupCounters c;
    if (!cpu_dir_.empty()) c.cpu_ns = parse_u64(cpu_usage_.read()).value_or(0);
    if (!memory_dir_.empty()) {
      auto kills = find_keyed_value(oom_control_.read(), "oom_kill");
      // Before 4.13 there is no oom_kill count: hitting the limit is the best sign we have.
      c.oom_kills = kills ? *kills : parse_u64(failcnt_.read()).value_or(0);
    }
    if (!pids_dir_.empty())
      c.pids_max_events = find_keyed_value(pids_events_.read(), "max").value_or(0);
    return c;
  }

  std::uint64_t read_memory_peak() const override {
    if (memory_dir_.empty()) return 0;
    return parse_u64(max_usage_.read()).value_or(0);
  }

  // `tasks` moves the writing thread alone, which for the single-threaded
  // child between clone and exec is the whole process; cgroup.procs would
  // take the kernel's global threadgroup lock for writing, whose RCU grace
  // period costs 5-15 ms whenever no cgroup move happened just before.
  const char* self_join_file() const override { return "tasks"; }

  void close_fds() override {
    for (KeptFile* f : {&cpu_usage_, &oom_control_, &failcnt_, &max_usage_, &pids_events_})
      f->close();
  }

 private:
  // <root>/pipejudge/<name> in the cpuset hierarchy, with the judge's CPUs and
  // memory nodes. Optional: if any step fails the slot goes without (runs
  // are still pinned by affinity) and the directory is not kept.
  void create_cpuset(const std::string& root, const std::string& name) {
    std::string base = root + "/" + kBaseDir, dir = base + "/" + name;
    bool made = false;
    try {
      make_dir(base);
      inherit_cpuset(root, base);
      make_dir(dir);
      made = true;
      inherit_cpuset(base, dir);
      std::string cpus;
      if (int err = read_file(base + "/cpuset.cpus", cpus))
        throw_errno(err, "cannot read " + base + "/cpuset.cpus");
      all_cpus_ = std::string(trim(cpus));
      write_or_throw(dir + "/cpuset.cpus", all_cpus_);
      dirs_.push_back(dir);
      cpuset_dir_ = dir;
    } catch (const std::system_error&) {
      if (made) remove_dir(dir);
    }
  }

  std::string all_cpus_;  // the judge's own cpuset's CPUs, as its pipejudge/ directory has them
  KeptFile cpu_usage_, oom_control_, failcnt_, max_usage_, pids_events_;
};

// Our writable directory in the v1 hierarchy of `controller`, or "" with a note why not.
std::string locate(const std::vector<Mount>& mounts, const std::vector<Membership>& groups,
                   const std::string& controller, std::string& notes) {
  auto own = std::find_if(groups.begin(), groups.end(), [&](const Membership& g) {
    return g.hierarchy != "0" && has_word(g.controllers, controller, ',');
  });
  std::optional<std::string> dir;
  for (const Mount& m : mounts) {
    if (own != groups.end() && !dir && m.fstype == "cgroup" &&
        has_word(m.options, controller, ',')) {
      dir = dir_through(m, own->path);
    }
  }
  if (!dir) {
    notes = join_notes(notes, "cgroup v1: " + controller + " not mounted");
    return {};
  }
  int err = 0;
  if (!writable(*dir, err)) {
    notes = join_notes(notes, errno_text("cgroup v1: cannot write " + *dir, err));
    return {};
  }
  return *dir;
}

}  // namespace

std::unique_ptr<CgroupSlotOps> make_v1_slot_ops() {
  return std::make_unique<V1SlotOps>();
}

CgroupSupport detect_v1(const std::vector<Mount>& mounts, const std::vector<Membership>& groups) {
  CgroupSupport s;
  s.v1_memory = locate(mounts, groups, "memory", s.reason);
  s.v1_pids = locate(mounts, groups, "pids", s.reason);
  s.v1_cpuacct = locate(mounts, groups, "cpuacct", s.reason);
  s.v1_cpuset = locate(mounts, groups, "cpuset", s.reason);
  s.memory = !s.v1_memory.empty();
  s.pids = !s.v1_pids.empty();
  s.cpu = !s.v1_cpuacct.empty();
  s.cpuset = !s.v1_cpuset.empty();
  if (s.memory && s.pids) s.version = CgroupVersion::V1;
  return s;
}

}  // namespace pj::sandbox
