// Detection, slot names, and what a slot does the same way on v1 and v2:
// moving pids in, killing every member by signals, measuring from a baseline,
// removal. What differs per version is behind CgroupSlotOps (cgroup_version.hpp).
#include "sandbox/cgroup.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <set>
#include <string_view>
#include <thread>
#include <utility>

#include "sandbox/cgroup_version.hpp"
#include "sandbox/errors.hpp"
#include "sandbox/fd.hpp"

namespace pj::sandbox {

using namespace cgroupfs;

namespace {

using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------- processes

std::vector<pid_t> read_pids(const std::string& dir) {
  std::string text;
  std::vector<pid_t> pids;
  if (read_file(dir + "/cgroup.procs", text) != 0) return pids;  // gone: nothing inside
  for (std::string_view line : lines(text)) {
    if (auto v = parse_u64(line); v && *v > 0) pids.push_back(static_cast<pid_t>(*v));
  }
  std::sort(pids.begin(), pids.end());
  return pids;
}

// SIGKILLs every member of `dir`; returns how many there were. Each pid is
// pinned with a pidfd and signalled only if a second read of cgroup.procs
// still lists it, so a pid recycled by an unrelated process in between is
// never hit. (pidfds are always close-on-exec.)
std::size_t kill_members(const std::string& dir) {
  std::vector<pid_t> pids = read_pids(dir);
  std::vector<std::pair<pid_t, UniqueFd>> pinned;
  for (pid_t pid : pids) {
    UniqueFd fd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (fd) {
      pinned.emplace_back(pid, std::move(fd));
    } else if (errno != ESRCH) {
      ::kill(pid, SIGKILL);  // no pidfds (before 5.3) or out of fds: plain kill
    }
  }
  if (pinned.empty()) return pids.size();
  std::vector<pid_t> still = read_pids(dir);
  for (const auto& [pid, fd] : pinned) {
    if (std::binary_search(still.begin(), still.end(), pid)) {
      ::syscall(SYS_pidfd_send_signal, fd.get(), SIGKILL, nullptr, 0);
    }
  }
  return pids.size();
}

// Repeats until every directory is empty: members may fork between two reads
// (no freezer on v1), and killed ones take a moment to leave.
bool kill_until_empty(const std::vector<std::string>& dirs) {
  const auto deadline = Clock::now() + kKillTimeout;
  auto pause = std::chrono::microseconds(100);
  for (;;) {
    std::size_t seen = 0;
    for (const std::string& d : dirs) seen += kill_members(d);
    if (seen == 0) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(pause);
    pause = std::min<std::chrono::microseconds>(pause * 2, std::chrono::milliseconds(10));
  }
}

bool process_exists(pid_t pid) {
  return ::kill(pid, 0) == 0 || errno == EPERM;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

constexpr ino_t kInitPidNamespace = 0xEFFFFFFC;  // PROC_PID_INIT_INO

// "" in the initial pid namespace, else "-ns<inode>". A pid names a judge only
// within its pid namespace, and judges in different namespaces (pid 1 of a
// container, typically) may share a v1 hierarchy: the suffix keeps their
// names apart and tells cleanup which pids it can judge.
std::string pid_namespace_suffix() {
  struct stat st {};
  if (::stat("/proc/self/ns/pid", &st) != 0 || st.st_ino == kInitPidNamespace) return {};
  return "-ns" + std::to_string(st.st_ino);
}

struct Owner {
  pid_t pid = 0;
  std::string ns_suffix;
};

// The owner of a name made by owned_name() with kind "slot" or "probe".
std::optional<Owner> owner_of(std::string_view name) {
  std::vector<std::string_view> parts = split(name, '-');
  if (parts.size() != 3 && parts.size() != 4) return std::nullopt;
  if (parts[0] != "slot" && parts[0] != "probe") return std::nullopt;
  if (!all_digits(parts[1]) || !all_digits(parts[2]) || parts[1].size() > 9) return std::nullopt;
  Owner owner;
  if (parts.size() == 4) {
    if (parts[3].substr(0, 2) != "ns" || !all_digits(parts[3].substr(2))) return std::nullopt;
    owner.ns_suffix = "-" + std::string(parts[3]);
  }
  owner.pid = static_cast<pid_t>(parse_u64(parts[1]).value_or(0));
  if (owner.pid == 0) return std::nullopt;
  return owner;
}

void check_slot_name(const std::string& name) {
  bool ok = !name.empty() && name != "." && name != ".." &&
            name.find_first_of("/ \t\n") == std::string::npos && name.size() <= 200;
  if (!ok) throw_errno(EINVAL, "bad slot name '" + name + "'");
}

std::vector<std::string> slot_roots(const CgroupSupport& s) {
  std::vector<std::string> roots;
  if (s.version == CgroupVersion::V2) roots.push_back(s.v2_root);
  if (s.version == CgroupVersion::V1) {
    for (const std::string* r : {&s.v1_memory, &s.v1_pids, &s.v1_cpuacct, &s.v1_cpuset}) {
      if (!r->empty() && std::find(roots.begin(), roots.end(), *r) == roots.end())
        roots.push_back(*r);
    }
  }
  return roots;
}

}  // namespace

// ---------------------------------------------------------------- public

const char* cgroup_version_name(CgroupVersion v) {
  switch (v) {
    case CgroupVersion::V1:
      return "v1";
    case CgroupVersion::V2:
      return "v2";
    case CgroupVersion::None:
      break;
  }
  return "none";
}

CgroupSupport detect_cgroups(const std::string& proc_root, const std::string& sys_fs_cgroup) {
  CgroupSupport none;
  std::string mountinfo, membership;
  if (int err = read_file(proc_root + "/self/mountinfo", mountinfo)) {
    none.reason = errno_text("cannot read " + proc_root + "/self/mountinfo", err);
    return none;
  }
  if (int err = read_file(proc_root + "/self/cgroup", membership)) {
    none.reason = errno_text("cannot read " + proc_root + "/self/cgroup", err);
    return none;
  }
  std::vector<Mount> mounts = parse_mountinfo(mountinfo, sys_fs_cgroup);
  std::vector<Membership> groups = parse_proc_cgroup(membership);
  CgroupSupport v2 = detect_v2(mounts, groups);
  if (v2.version == CgroupVersion::V2) return v2;
  CgroupSupport v1 = detect_v1(mounts, groups);
  v1.reason = join_notes(v2.reason, v1.reason);
  return v1;  // V1, or None with every reason
}

std::string owned_name(const std::string& kind, long n) {
  return kind + "-" + std::to_string(::getpid()) + "-" + std::to_string(n) + pid_namespace_suffix();
}

std::string slot_cgroup_name(int index) {
  return owned_name("slot", index);
}

void CgroupSlotOps::add_dir(const std::string& dir) {
  make_dir(dir);
  if (std::find(dirs_.begin(), dirs_.end(), dir) == dirs_.end()) dirs_.push_back(dir);
}

SlotCgroup::SlotCgroup(std::string name, std::unique_ptr<CgroupSlotOps> ops)
    : name_(std::move(name)), ops_(std::move(ops)) {}

std::unique_ptr<SlotCgroup> SlotCgroup::create(const CgroupSupport& s, const std::string& name) {
  check_slot_name(name);
  if (s.version == CgroupVersion::None) throw_errno(ENOTSUP, "not available: " + s.reason);
  // Owned before the first mkdir: if a later step throws, the destructor removes what exists.
  std::unique_ptr<SlotCgroup> cg(new SlotCgroup(
      name, s.version == CgroupVersion::V2 ? make_v2_slot_ops() : make_v1_slot_ops()));
  cg->ops_->create(s, name);
  // An existing directory is adopted: whatever a previous owner left runs no longer.
  if (!cg->kill_all()) throw_errno(EBUSY, "cannot empty " + cg->dirs().front());
  cg->baseline_ = cg->ops_->read_counters();
  return cg;
}

SlotCgroup::~SlotCgroup() {
  ops_->close_fds();
  try {
    kill_all();
    for (auto it = dirs().rbegin(); it != dirs().rend(); ++it) remove_dir(*it);
  } catch (...) {
    // Only allocation can throw here; a leftover directory is for cleanup_stale_cgroups().
  }
}

const std::vector<std::string>& SlotCgroup::dirs() const {
  return ops_->dirs();
}

std::vector<std::string> SlotCgroup::self_join_paths() const {
  std::vector<std::string> paths;
  for (const std::string& dir : dirs()) paths.push_back(dir + "/" + ops_->self_join_file());
  return paths;
}

int SlotCgroup::v2_dir_fd() const {
  return ops_->dir_fd();
}

void SlotCgroup::set_limits(std::uint64_t memory_bytes, int max_pids) {
  ops_->set_limits(memory_bytes, max_pids);
}

void SlotCgroup::reset() {
  ops_->reset_memory_peak();
  baseline_ = ops_->read_counters();
}

void SlotCgroup::set_cpu(int cpu) {
  if (ops_->has_cpuset()) ops_->set_cpu(cpu);
}

bool SlotCgroup::has_cpuset() const {
  return ops_->has_cpuset();
}

void SlotCgroup::add(pid_t pid) {
  for (const std::string& dir : dirs()) write_or_throw(dir + "/cgroup.procs", std::to_string(pid));
}

SlotCgroup::Usage SlotCgroup::usage() const {
  auto delta = [](std::uint64_t now, std::uint64_t before) {
    return now >= before ? now - before : 0;
  };
  CgroupCounters now = ops_->read_counters();
  Usage u;
  u.cpu_seconds = static_cast<double>(delta(now.cpu_ns, baseline_.cpu_ns)) / 1e9;
  u.memory_peak = ops_->read_memory_peak();
  u.oom_killed = delta(now.oom_kills, baseline_.oom_kills) > 0;
  u.pids_limited = delta(now.pids_max_events, baseline_.pids_max_events) > 0;
  return u;
}

bool SlotCgroup::kill_all() {
  // v2's cgroup.kill kills atomically, forkers included; the loop below then
  // only waits for the processes to leave (and is the whole job elsewhere).
  if (dirs().empty()) return true;
  ops_->kill_at_once();
  return kill_until_empty(dirs());
}

bool SlotCgroup::empty() const {
  return std::all_of(dirs().begin(), dirs().end(),
                     [](const std::string& d) { return read_pids(d).empty(); });
}

int cleanup_stale_cgroups(const CgroupSupport& s) {
  std::set<std::string> removed;
  try {
    const std::string our_ns = pid_namespace_suffix();
    for (const std::string& root : slot_roots(s)) {
      std::string base = root + "/" + kBaseDir;
      for (const std::string& name : list_subdirs(base)) {
        std::optional<Owner> owner = owner_of(name);
        if (!owner || owner->ns_suffix != our_ns || process_exists(owner->pid)) continue;
        std::string dir = base + "/" + name;
        if (kill_until_empty({dir}) && remove_dir(dir)) removed.insert(name);
      }
    }
  } catch (...) {
    // Allocation only; report what was done.
  }
  return static_cast<int>(removed.size());
}

}  // namespace pj::sandbox
