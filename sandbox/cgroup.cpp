// Plain file I/O on cgroupfs: every control is a small text file. Raw
// open/read/write (not iostreams) because cgroup files want exactly one
// write(2) per value and we need the errno of each step.
#include "sandbox/cgroup.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <optional>
#include <set>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

#include "sandbox/errors.hpp"

namespace pj::sandbox {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kBaseDir = "pipejudge";
constexpr const char* kRealCgroupFs = "/sys/fs/cgroup";
// How long kill_all() and the destructor wait for killed processes to leave.
constexpr auto kKillTimeout = std::chrono::seconds(1);

[[noreturn]] void throw_errno(int err, const std::string& what) {
  throw std::system_error(err, std::generic_category(), "cgroup: " + what);
}

// ---------------------------------------------------------------- file I/O

// Reads from the current offset to EOF. Returns 0 or an errno.
int read_fd(int fd, std::string& out) {
  out.clear();
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return 0;
    out.append(buf, static_cast<std::size_t>(n));
  }
}

int read_file(const std::string& path, std::string& out) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return errno;
  return read_fd(fd.get(), out);
}

// A counter file: "" when the kernel lacks it (so its counters read as 0).
std::string read_counter_file(const std::string& path) {
  std::string text;
  int err = read_file(path, text);
  if (err == ENOENT) return {};
  if (err) throw_errno(err, "cannot read " + path);
  return text;
}

// One write(2) per value: cgroup files parse each write as a whole.
int write_file(const std::string& path, const std::string& text) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
  if (!fd) return errno;
  for (;;) {
    ssize_t n = ::write(fd.get(), text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    return static_cast<std::size_t>(n) == text.size() ? 0 : EIO;
  }
}

void write_or_throw(const std::string& path, const std::string& text) {
  if (int err = write_file(path, text)) throw_errno(err, "cannot write '" + text + "' to " + path);
}

// For controls that only some kernels/configurations have. Returns whether it exists.
bool write_if_exists(const std::string& path, const std::string& text) {
  int err = write_file(path, text);
  if (err == ENOENT) return false;
  if (err) throw_errno(err, "cannot write '" + text + "' to " + path);
  return true;
}

void make_dir(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
    int err = errno;
    throw_errno(err, "cannot create " + path);
  }
}

// Removes an empty cgroup. Killed processes may still be leaving (EBUSY) for a moment.
bool remove_dir(const std::string& path) {
  const auto deadline = Clock::now() + kKillTimeout;
  for (;;) {
    if (::rmdir(path.c_str()) == 0 || errno == ENOENT) return true;
    if (errno != EBUSY || Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

bool writable(const std::string& dir, int& err) {
  if (::faccessat(AT_FDCWD, dir.c_str(), W_OK, AT_EACCESS) == 0) return true;
  err = errno;
  return false;
}

std::vector<std::string> list_subdirs(const std::string& dir) {
  std::vector<std::string> names;
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return names;
  DIR* d = ::fdopendir(fd);  // takes the fd
  if (d == nullptr) {
    ::close(fd);
    return names;
  }
  while (dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    struct stat st {};
    bool is_dir = e->d_type == DT_DIR ||
                  (e->d_type == DT_UNKNOWN && ::fstatat(::dirfd(d), e->d_name, &st, 0) == 0 &&
                   S_ISDIR(st.st_mode));
    if (is_dir && name != "." && name != "..") names.emplace_back(name);
  }
  ::closedir(d);
  return names;
}

// ---------------------------------------------------------------- parsing

std::string_view trim(std::string_view s) {
  const char* ws = " \t\r\n";
  std::size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

std::optional<std::uint64_t> parse_u64(std::string_view s) {
  s = trim(s);
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t end = s.find(sep, start);
    if (end == std::string_view::npos) end = s.size();
    parts.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

std::vector<std::string_view> lines(std::string_view text) {
  std::vector<std::string_view> out;
  for (std::string_view l : split(text, '\n')) {
    if (!l.empty()) out.push_back(l);
  }
  return out;
}

std::optional<std::uint64_t> find_keyed_value(std::string_view text, std::string_view key) {
  for (std::string_view line : lines(text)) {
    std::size_t sp = line.find(' ');
    if (sp != std::string_view::npos && line.substr(0, sp) == key) {
      return parse_u64(line.substr(sp + 1));
    }
  }
  return std::nullopt;
}

bool has_word(std::string_view text, std::string_view word, char sep) {
  for (std::string_view w : split(trim(text), sep)) {
    if (trim(w) == word) return true;
  }
  return false;
}

std::uint64_t delta(std::uint64_t now, std::uint64_t before) {
  return now >= before ? now - before : 0;
}

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape_octal(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    bool octal = s[i] == '\\' && i + 3 < s.size();
    if (octal && std::all_of(s.begin() + i + 1, s.begin() + i + 4,
                             [](char c) { return c >= '0' && c <= '7'; })) {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

struct Mount {
  std::string root;     // path inside the hierarchy that is mounted
  std::string point;    // where (already rebased onto sys_fs_cgroup)
  std::string fstype;   // "cgroup" or "cgroup2"
  std::string options;  // super options: the v1 controllers are listed here
};

// A mount point under the real /sys/fs/cgroup is looked up under `sys_fs_cgroup`.
std::string rebase(const std::string& point, const std::string& sys_fs_cgroup) {
  std::string_view real = kRealCgroupFs;
  if (point == real) return sys_fs_cgroup;
  if (point.size() > real.size() && point.compare(0, real.size(), real) == 0 &&
      point[real.size()] == '/') {
    return sys_fs_cgroup + point.substr(real.size());
  }
  return point;
}

// "id parent maj:min root point opts [optional...] - fstype source superopts"
std::vector<Mount> parse_mountinfo(std::string_view text, const std::string& sys_fs_cgroup) {
  std::vector<Mount> mounts;
  for (std::string_view line : lines(text)) {
    std::vector<std::string_view> f = split(line, ' ');
    auto sep = std::find(f.begin(), f.end(), "-");
    if (f.size() < 5 || sep == f.end() || f.end() - sep < 4) continue;
    std::string fstype(sep[1]);
    if (fstype != "cgroup" && fstype != "cgroup2") continue;
    mounts.push_back({unescape_octal(f[3]), rebase(unescape_octal(f[4]), sys_fs_cgroup), fstype,
                      std::string(sep[3])});
  }
  return mounts;
}

struct Membership {
  std::string hierarchy;    // "0" for v2
  std::string controllers;  // comma-separated; empty for v2
  std::string path;
};

// "hierarchy-id:controllers:path" per line of /proc/<pid>/cgroup.
std::vector<Membership> parse_proc_cgroup(std::string_view text) {
  std::vector<Membership> out;
  for (std::string_view line : lines(text)) {
    std::size_t a = line.find(':');
    std::size_t b = a == std::string_view::npos ? a : line.find(':', a + 1);
    if (b == std::string_view::npos) continue;
    out.push_back({std::string(line.substr(0, a)), std::string(line.substr(a + 1, b - a - 1)),
                   std::string(line.substr(b + 1))});
  }
  return out;
}

std::string join_path(const std::string& dir, std::string_view rel) {
  while (!rel.empty() && rel.front() == '/') rel.remove_prefix(1);
  if (rel.empty()) return dir;
  return dir + "/" + std::string(rel);
}

// Directory of cgroup `path` through mount `m`, if the mount shows it.
std::optional<std::string> dir_through(const Mount& m, const std::string& path) {
  if (m.root == "/") return join_path(m.point, path);
  if (path == m.root) return m.point;
  if (path.size() > m.root.size() && path.compare(0, m.root.size(), m.root) == 0 &&
      path[m.root.size()] == '/') {
    return join_path(m.point, std::string_view(path).substr(m.root.size()));
  }
  return std::nullopt;
}

std::string join_notes(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return a + "; " + b;
}

// ---------------------------------------------------------------- detection

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

CgroupSupport probe_v2(const std::vector<Mount>& mounts, const std::vector<Membership>& groups) {
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
  if ((err = enable_controllers(*dir, {"memory", "pids"}))) {
    s.reason =
        errno_text(
            "cgroup v2: cannot enable memory and pids in " + *dir + "/cgroup.subtree_control",
            err) +
        (err == EBUSY ? " (our cgroup holds processes: start the judge in a leaf cgroup)" : "");
    return s;
  }
  s.version = CgroupVersion::V2;
  s.v2_root = *dir;
  s.memory = s.pids = true;
  s.cpu = true;  // cpu.stat usage_usec is a core file of every non-root v2 cgroup
  std::string why;
  s.cgroup_kill = probe_cgroup_kill(*dir, &why);
  if (!s.cgroup_kill) s.reason = "cgroup v2: killing by signals, not cgroup.kill: " + why;
  return s;
}

// Our writable directory in the v1 hierarchy of `controller`, or "" with a note why not.
std::string locate_v1(const std::vector<Mount>& mounts, const std::vector<Membership>& groups,
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

CgroupSupport probe_v1(const std::vector<Mount>& mounts, const std::vector<Membership>& groups) {
  CgroupSupport s;
  s.v1_memory = locate_v1(mounts, groups, "memory", s.reason);
  s.v1_pids = locate_v1(mounts, groups, "pids", s.reason);
  s.v1_cpuacct = locate_v1(mounts, groups, "cpuacct", s.reason);
  s.memory = !s.v1_memory.empty();
  s.pids = !s.v1_pids.empty();
  s.cpu = !s.v1_cpuacct.empty();
  if (s.memory && s.pids) s.version = CgroupVersion::V1;
  return s;
}

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

// "<kind>-<our pid>-<n>[-ns<inode>]"
std::string owned_name(const std::string& kind, long n) {
  return kind + "-" + std::to_string(::getpid()) + "-" + std::to_string(n) + pid_namespace_suffix();
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

std::string limit_text(std::uint64_t value, const char* unlimited) {
  return value == 0 ? unlimited : std::to_string(value);
}

std::vector<std::string> slot_roots(const CgroupSupport& s) {
  std::vector<std::string> roots;
  if (s.version == CgroupVersion::V2) roots.push_back(s.v2_root);
  if (s.version == CgroupVersion::V1) {
    for (const std::string* r : {&s.v1_memory, &s.v1_pids, &s.v1_cpuacct}) {
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

std::uint64_t read_keyed_value(const std::string& text, const std::string& key) {
  return find_keyed_value(text, key).value_or(0);
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
  CgroupSupport v2 = probe_v2(mounts, groups);
  if (v2.version == CgroupVersion::V2) return v2;
  CgroupSupport v1 = probe_v1(mounts, groups);
  v1.reason = join_notes(v2.reason, v1.reason);
  return v1;  // V1, or None with every reason
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

std::string slot_cgroup_name(int index) {
  return owned_name("slot", index);
}

std::unique_ptr<SlotCgroup> SlotCgroup::create(const CgroupSupport& s, const std::string& name) {
  check_slot_name(name);
  if (s.version == CgroupVersion::None) throw_errno(ENOTSUP, "not available: " + s.reason);
  // Owned before the first mkdir: if a later step throws, the destructor removes what exists.
  std::unique_ptr<SlotCgroup> cg(new SlotCgroup());
  cg->version_ = s.version;
  cg->name_ = name;
  cg->use_cgroup_kill_ = s.version == CgroupVersion::V2 && s.cgroup_kill;
  if (s.version == CgroupVersion::V2) {
    cg->create_v2(s);
  } else {
    cg->create_v1(s);
  }
  // An existing directory is adopted: whatever a previous owner left runs no longer.
  if (!cg->kill_all()) throw_errno(EBUSY, "cannot empty " + cg->dirs_.front());
  cg->baseline_ = cg->read_counters();
  return cg;
}

void SlotCgroup::add_dir(const std::string& dir) {
  make_dir(dir);
  if (std::find(dirs_.begin(), dirs_.end(), dir) == dirs_.end()) dirs_.push_back(dir);
}

void SlotCgroup::create_v2(const CgroupSupport& s) {
  if (s.v2_root.empty()) throw_errno(EINVAL, "no v2 root");
  std::string base = s.v2_root + "/" + kBaseDir;
  make_dir(base);
  std::vector<std::string> controllers;
  if (s.memory) controllers.push_back("memory");
  if (s.pids) controllers.push_back("pids");
  if (int err = enable_controllers(base, controllers)) {
    throw_errno(err, "cannot enable memory/pids in " + base + "/cgroup.subtree_control");
  }
  std::string dir = base + "/" + name_;
  add_dir(dir);
  if (s.memory) memory_dir_ = dir;
  if (s.pids) pids_dir_ = dir;
  if (s.cpu) cpu_dir_ = dir;
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
  }
}

void SlotCgroup::create_v1(const CgroupSupport& s) {
  auto slot_in = [&](bool wanted, const std::string& root) -> std::string {
    if (!wanted || root.empty()) return {};
    make_dir(root + "/" + kBaseDir);
    std::string dir = root + "/" + kBaseDir + "/" + name_;
    add_dir(dir);
    return dir;
  };
  memory_dir_ = slot_in(s.memory, s.v1_memory);
  pids_dir_ = slot_in(s.pids, s.v1_pids);
  cpu_dir_ = slot_in(s.cpu, s.v1_cpuacct);
  if (dirs_.empty()) throw_errno(EINVAL, "no v1 hierarchy to create " + name_ + " in");
  // Swapping would make runs slow instead of over the limit.
  if (!memory_dir_.empty()) write_if_exists(memory_dir_ + "/memory.swappiness", "0");
}

SlotCgroup::~SlotCgroup() {
  peak_fd_.reset();
  dir_fd_.reset();
  try {
    kill_all();
    for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) remove_dir(*it);
  } catch (...) {
    // Only allocation can throw here; a leftover directory is for cleanup_stale_cgroups().
  }
}

void SlotCgroup::set_limits(std::uint64_t memory_bytes, int max_pids) {
  if (!memory_dir_.empty() && version_ == CgroupVersion::V2) {
    write_or_throw(memory_dir_ + "/memory.max", limit_text(memory_bytes, "max"));
    write_if_exists(memory_dir_ + "/memory.swap.max", "0");
  }
  if (!memory_dir_.empty() && version_ == CgroupVersion::V1) {
    // memsw must stay >= the memory limit at every step: lift it, set the
    // limit, then bring memsw down to it (memory + swap = memory: no swap).
    std::string memsw = memory_dir_ + "/memory.memsw.limit_in_bytes";
    bool has_memsw = write_if_exists(memsw, "-1");
    write_or_throw(memory_dir_ + "/memory.limit_in_bytes", limit_text(memory_bytes, "-1"));
    if (has_memsw && memory_bytes != 0) write_or_throw(memsw, std::to_string(memory_bytes));
  }
  if (!pids_dir_.empty()) {
    write_or_throw(pids_dir_ + "/pids.max",
                   limit_text(max_pids > 0 ? static_cast<std::uint64_t>(max_pids) : 0, "max"));
  }
}

void SlotCgroup::reset() {
  reset_memory_peak();
  baseline_ = read_counters();
}

void SlotCgroup::reset_memory_peak() {
  if (memory_dir_.empty()) return;
  if (version_ == CgroupVersion::V1) {
    write_or_throw(memory_dir_ + "/memory.max_usage_in_bytes", "0");
    return;
  }
  // Kernels before 6.12 have a read-only memory.peak: no per-run peak (0).
  if (peak_fd_ && ::pwrite(peak_fd_.get(), "reset\n", 6, 0) < 0) peak_fd_.reset();
}

void SlotCgroup::add(pid_t pid) {
  for (const std::string& dir : dirs_) write_or_throw(dir + "/cgroup.procs", std::to_string(pid));
}

SlotCgroup::Counters SlotCgroup::read_counters() const {
  Counters c;
  bool v2 = version_ == CgroupVersion::V2;
  if (!cpu_dir_.empty() && v2) {
    c.cpu_ns = 1000 * read_keyed_value(read_counter_file(cpu_dir_ + "/cpu.stat"), "usage_usec");
  }
  if (!cpu_dir_.empty() && !v2) {
    c.cpu_ns = parse_u64(read_counter_file(cpu_dir_ + "/cpuacct.usage")).value_or(0);
  }
  if (!memory_dir_.empty() && v2) {
    c.oom_kills = read_keyed_value(read_counter_file(memory_dir_ + "/memory.events"), "oom_kill");
  }
  if (!memory_dir_.empty() && !v2) {
    auto kills =
        find_keyed_value(read_counter_file(memory_dir_ + "/memory.oom_control"), "oom_kill");
    // Before 4.13 there is no oom_kill count: hitting the limit is the best sign we have.
    c.oom_kills =
        kills ? *kills : parse_u64(read_counter_file(memory_dir_ + "/memory.failcnt")).value_or(0);
  }
  if (!pids_dir_.empty()) {
    c.pids_max_events = read_keyed_value(read_counter_file(pids_dir_ + "/pids.events"), "max");
  }
  return c;
}

std::uint64_t SlotCgroup::read_memory_peak() const {
  if (memory_dir_.empty()) return 0;
  if (version_ == CgroupVersion::V1) {
    return parse_u64(read_counter_file(memory_dir_ + "/memory.max_usage_in_bytes")).value_or(0);
  }
  std::string text;
  if (!peak_fd_ || ::lseek(peak_fd_.get(), 0, SEEK_SET) < 0) return 0;
  if (int err = read_fd(peak_fd_.get(), text))
    throw_errno(err, "cannot read " + memory_dir_ + "/memory.peak");
  return parse_u64(text).value_or(0);
}

SlotCgroup::Usage SlotCgroup::usage() const {
  Counters now = read_counters();
  Usage u;
  u.cpu_seconds = static_cast<double>(delta(now.cpu_ns, baseline_.cpu_ns)) / 1e9;
  u.memory_peak = read_memory_peak();
  u.oom_killed = delta(now.oom_kills, baseline_.oom_kills) > 0;
  u.pids_limited = delta(now.pids_max_events, baseline_.pids_max_events) > 0;
  return u;
}

bool SlotCgroup::kill_all() {
  // cgroup.kill kills atomically, forkers included; the loop below then only
  // waits for the processes to leave (and is the whole job elsewhere).
  if (dirs_.empty()) return true;
  if (use_cgroup_kill_) write_file(dirs_.front() + "/cgroup.kill", "1");
  return kill_until_empty(dirs_);
}

bool SlotCgroup::empty() const {
  return std::all_of(dirs_.begin(), dirs_.end(),
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
