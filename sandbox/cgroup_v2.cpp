// cgroup v2: one unified hierarchy. Detection (our cgroup must offer memory and
// pids and let us enable them for our children), whether cgroup.kill may be
// used, and a slot's operations: memory.max, memory.swap.max, pids.max,
// cpu.stat, memory.events, memory.peak through our own fd, cgroup.kill.
#include <fcntl.h>
#include <linux/sched.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <optional>

#include "sandbox/cgroup_version.hpp"
#include "sandbox/errors.hpp"
#include "sandbox/fd.hpp"

namespace pj::sandbox {

using namespace cgroupfs;

namespace {

// Enables `names` in dir/cgroup.subtree_control unless already on. Returns 0 or an errno.
int enable_controllers(const std::string& dir, const std::vector<std::string>& names) {
  std::string path = dir + "/cgroup.subtree_control";
  std::string current;
  if (int err = read_file(path, current)) return err;
  std::string change;
  for (const std::string& n : names) {
    if (!has_word(current, n, ' ')) change += (change.empty() ? "+" : " +") + n;
  }
  return change.empty() ? 0 : write_file(path, change);
}

// Clones a child straight into `dir` that exits at once. Returns 0 when it
// exited normally, the signal that killed it, or -1 if clone3 refused (no
// CLONE_INTO_CGROUP here: then nothing to protect).
int clone_into_and_reap(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return -1;
  clone_args args{};
  args.flags = CLONE_INTO_CGROUP;
  args.exit_signal = 0;  // no SIGCHLD for the caller's handler; reaped with __WALL
  args.cgroup = static_cast<std::uint64_t>(fd.get());
  long pid = ::syscall(SYS_clone3, &args, sizeof args);
  if (pid == 0) _exit(0);  // the child: async-signal-safe only
  if (pid < 0) return -1;
  int status = 0;
  while (::waitpid(static_cast<pid_t>(pid), &status, __WALL) < 0 && errno == EINTR) {
  }
  return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

// A slot is one directory, <v2_root>/pipejudge/<name>, with every controller.
class V2SlotOps final : public CgroupSlotOps {
 public:
  void create(const CgroupSupport& s, const std::string& name) override {
    if (s.v2_root.empty()) throw_errno(EINVAL, "no v2 root");
    use_cgroup_kill_ = s.cgroup_kill;
    std::string base = s.v2_root + "/" + kBaseDir;
    make_dir(base);
    std::vector<std::string> controllers;
    if (s.memory) controllers.push_back("memory");
    if (s.pids) controllers.push_back("pids");
    if (int err = enable_controllers(base, controllers)) {
      throw_errno(err, "cannot enable memory/pids in " + base + "/cgroup.subtree_control");
    }
    std::string dir = base + "/" + name;
    add_dir(dir);
    if (s.memory) memory_dir_ = dir;
    if (s.pids) pids_dir_ = dir;
    if (s.cpu) cpu_dir_ = dir;
    // Optional: without it runs are pinned by affinity alone.
    if (s.cpuset && enable_controllers(base, {"cpuset"}) == 0) cpuset_dir_ = dir;
    dir_fd_.reset(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dir_fd_) {
      int err = errno;
      throw_errno(err, "cannot open " + dir);
    }
    if (s.memory) {
      // An OOM kills the whole run, not one process of it, so a run never
      // limps on with a part missing.
      write_if_exists(dir + "/memory.oom.group", "1");
      // Ours for the slot's lifetime: a write resets the peak for reads through this fd only.
      peak_fd_.reset(::open((dir + "/memory.peak").c_str(), O_RDWR | O_CLOEXEC));
      memory_events_.open(dir + "/memory.events");
    }
    // Read at every run: kept open.
    if (s.cpu) cpu_stat_.open(dir + "/cpu.stat");
    if (s.pids) pids_events_.open(dir + "/pids.events");
  }

  void set_limits(std::uint64_t memory_bytes, int max_pids) override {
    if (!memory_dir_.empty()) {
      write_or_throw(memory_dir_ + "/memory.max", limit_text(memory_bytes, "max"));
      write_if_exists(memory_dir_ + "/memory.swap.max", "0");
    }
    if (!pids_dir_.empty()) write_pids_max(pids_dir_, max_pids);
  }

  void reset_memory_peak() override {
    // Kernels before 6.12 have a read-only memory.peak: no per-run peak (0).
    if (!memory_dir_.empty() && peak_fd_ && ::pwrite(peak_fd_.get(), "reset\n", 6, 0) < 0) {
      peak_fd_.reset();
    }
  }

  CgroupCounters read_counters() const override {
    CgroupCounters c;
    if (!cpu_dir_.empty()) c.cpu_ns = 1000 * read_keyed_value(cpu_stat_.read(), "usage_usec");
    if (!memory_dir_.empty()) c.oom_kills = read_keyed_value(memory_events_.read(), "oom_kill");
    if (!pids_dir_.empty())
      c.pids_max_events = find_keyed_value(pids_events_.read(), "max").value_or(0);
    return c;
  }

  std::uint64_t read_memory_peak() const override {
    std::string text;
    if (memory_dir_.empty() || !peak_fd_ || ::lseek(peak_fd_.get(), 0, SEEK_SET) < 0) return 0;
    if (int err = read_fd(peak_fd_.get(), text))
      throw_errno(err, "cannot read " + memory_dir_ + "/memory.peak");
    return parse_u64(text).value_or(0);
  }

  // An empty cpuset.cpus is the parent's CPUs.
  void set_cpu(int cpu) override {
    write_or_throw(cpuset_dir_ + "/cpuset.cpus", cpu >= 0 ? std::to_string(cpu) : "\n");
  }

  // cgroup.kill kills atomically, forkers included.
  void kill_at_once() override {
    if (use_cgroup_kill_ && !dirs_.empty()) write_file(dirs_.front() + "/cgroup.kill", "1");
  }

  int dir_fd() const override { return dir_fd_.get(); }
  // cgroup.threads cannot move a process out of its domain: the whole process.
  const char* self_join_file() const override { return "cgroup.procs"; }

  void close_fds() override {
    peak_fd_.reset();
    dir_fd_.reset();
    for (KeptFile* f : {&cpu_stat_, &memory_events_, &pids_events_}) f->close();
  }

 private:
  KeptFile cpu_stat_, memory_events_, pids_events_;
  UniqueFd dir_fd_;
  UniqueFd peak_fd_;  // memory.peak, read-write: our writes reset it for our reads
  bool use_cgroup_kill_ = false;
};

}  // namespace

int move_into_judge_leaf(const std::string& dir, const std::vector<std::string>& controllers) {
  std::string procs;
  if (int err = read_file(dir + "/cgroup.procs", procs)) return err;
  if (trim(procs) != std::to_string(::getpid())) return EBUSY;
  std::string leaf = dir + "/" + kJudgeLeaf;
  if (::mkdir(leaf.c_str(), 0755) != 0 && errno != EEXIST) return errno;
  if (int err = write_file(leaf + "/cgroup.procs", std::to_string(::getpid()))) return err;
  return enable_controllers(dir, controllers);
}

std::unique_ptr<CgroupSlotOps> make_v2_slot_ops() {
  return std::make_unique<V2SlotOps>();
}

CgroupSupport detect_v2(const std::vector<Mount>& mounts, const std::vector<Membership>& groups) {
  CgroupSupport s;
  auto own = std::find_if(groups.begin(), groups.end(), [](const Membership& g) {
    return g.hierarchy == "0" && g.controllers.empty();
  });
  if (own == groups.end()) {
    s.reason = "cgroup v2: this process is in no v2 hierarchy";
    return s;
  }
  std::optional<std::string> dir;
  for (const Mount& m : mounts) {
    if (m.fstype == "cgroup2" && !dir) dir = dir_through(m, own->path);
  }
  if (!dir) {
    s.reason = "cgroup v2: no cgroup2 mount shows our cgroup " + own->path;
    return s;
  }
  // A judge of this delegated cgroup moved there (we are it, or its child):
  // the slots go beside it.
  const std::string leaf = std::string("/") + kJudgeLeaf;
  if (dir->ends_with(leaf)) dir->resize(dir->size() - leaf.size());
  std::string controllers;
  if (int err = read_file(*dir + "/cgroup.controllers", controllers)) {
    s.reason = errno_text("cgroup v2: cannot read " + *dir + "/cgroup.controllers", err);
    return s;
  }
  if (!has_word(controllers, "memory", ' ') || !has_word(controllers, "pids", ' ')) {
    s.reason = "cgroup v2: " + *dir + " offers controllers '" + std::string(trim(controllers)) +
               "', not memory and pids (bound to cgroup v1?)";
    return s;
  }
  int err = 0;
  if (!writable(*dir, err)) {
    s.reason = errno_text("cgroup v2: cannot write " + *dir, err);
    return s;
  }
  if ((err = enable_controllers(*dir, {"memory", "pids"})) == EBUSY)
    err = move_into_judge_leaf(*dir, {"memory", "pids"});
  if (err) {
    s.reason = errno_text("cgroup v2: cannot enable memory and pids in " + *dir +
                              "/cgroup.subtree_control",
                          err) +
               (err == EBUSY ? " (our cgroup holds other processes than the judge: start the judge "
                               "alone in it, or in a leaf cgroup of its own)"
                             : "");
    return s;
  }
  s.version = CgroupVersion::V2;
  s.v2_root = *dir;
  s.memory = s.pids = true;
  s.cpu = true;  // cpu.stat usage_usec is a core file of every non-root v2 cgroup
  s.cpuset = has_word(controllers, "cpuset", ' ') && enable_controllers(*dir, {"cpuset"}) == 0;
  std::string why;
  s.cgroup_kill = probe_cgroup_kill(*dir, &why);
  if (!s.cgroup_kill) s.reason = "cgroup v2: killing by signals, not cgroup.kill: " + why;
  return s;
}

bool probe_cgroup_kill(const std::string& v2_root, std::string* why) {
  auto no = [why](const std::string& reason) {
    if (why) *why = reason;
    return false;
  };
  static std::atomic<long> probes{0};
  std::string base = v2_root + "/" + kBaseDir;
  if (::mkdir(base.c_str(), 0755) != 0 && errno != EEXIST) {
    int err = errno;
    return no(errno_text("cannot create " + base, err));
  }
  // A scratch cgroup of our own (mkdir is exclusive): another prober must not remove it under us.
  std::string scratch;
  for (int attempt = 0; scratch.empty(); ++attempt) {
    std::string dir = base + "/" + owned_name("probe", probes++);
    if (::mkdir(dir.c_str(), 0755) == 0) scratch = dir;
    if (scratch.empty() && (errno != EEXIST || attempt == 100)) {
      int err = errno;
      return no(errno_text("cannot create " + dir, err));
    }
  }
  int err = write_file(scratch + "/cgroup.kill", "1");
  int killed_by = err == 0 ? clone_into_and_reap(scratch) : 0;
  remove_dir(scratch);
  if (err) return no(errno_text("cannot write " + scratch + "/cgroup.kill", err));
  if (killed_by > 0) {
    return no("this kernel kills children cloned into a cgroup after cgroup.kill (signal " +
              std::to_string(killed_by) + ")");
  }
  return true;
}

}  // namespace pj::sandbox
