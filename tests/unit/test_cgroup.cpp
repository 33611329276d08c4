// Cgroup slots: file handling on fake v1/v2 trees, and the real thing on this
// machine when we are root (v1 controllers; v2 without controllers for
// cgroup.kill, cpu.stat and CLONE_INTO_CGROUP).
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "sandbox/cgroup.hpp"
#include "sandbox/cgroup_version.hpp"
#include "scratch_dir.hpp"

namespace fs = std::filesystem;
using namespace pj::sandbox;

namespace {

constexpr std::uint64_t kMiB = 1ull << 20;

struct TempDir : pj::test::ScratchDir {
  TempDir() : ScratchDir("pj-cgtest") {}
};

void put(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::trunc) << text;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// A pid that cannot exist: pids are allocated below pid_max.
pid_t impossible_pid() {
  return static_cast<pid_t>(std::stol(slurp("/proc/sys/kernel/pid_max")));
}

double cpu_seconds_of_this_process() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

[[noreturn]] void burn_cpu_and_exit(double seconds) {
  while (cpu_seconds_of_this_process() < seconds) {
  }
  _exit(0);
}

// A test child: SIGKILLed and reaped when the scope ends, whatever happened.
class Child {
 public:
  explicit Child(pid_t pid) : pid_(pid) {}
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }
  int wait() {
    int status = 0;
    REQUIRE(waitpid(pid_, &status, 0) == pid_);
    reaped_ = true;
    return status;
  }

 private:
  pid_t pid_;
  bool reaped_ = false;
};

// Close-on-exec pipe; the child blocks on `wait_go` until the parent has moved it in.
struct Gate {
  int fds[2] = {-1, -1};
  Gate() { REQUIRE(pipe2(fds, O_CLOEXEC) == 0); }
  ~Gate() {
    for (int fd : fds)
      if (fd >= 0) close(fd);
  }
  void wait_go() {
    char c;
    if (read(fds[0], &c, 1) != 1) _exit(3);
  }
  void go() { REQUIRE(write(fds[1], "g", 1) == 1); }
  // Waits up to `ms` for a byte from the child.
  bool signalled(int ms) {
    pollfd p{fds[0], POLLIN, 0};
    char c;
    return poll(&p, 1, ms) == 1 && read(fds[0], &c, 1) == 1;
  }
};

// Forks a child that waits at the gate, then runs `body` (which must _exit).
template <class Body>
pid_t fork_gated(Gate& gate, Body body) {
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    gate.wait_go();
    body();
    _exit(0);
  }
  return pid;
}

// ------------------------------------------------------------ fake trees

// A fake /proc and a fake v2 tree: our cgroup /judge.service with a pre-made
// slot "slot-1" (mkdir in a plain directory creates no control files).
struct FakeV2 {
  TempDir tmp;
  fs::path proc = tmp.path / "proc";
  fs::path sys = tmp.path / "cgroup";
  fs::path own = sys / "judge.service";
  fs::path base = own / "pipejudge";
  fs::path slot = base / "slot-1";

  FakeV2() {
    put(proc / "self/mountinfo",
        "22 1 0:21 / /sys rw,nosuid - sysfs sysfs rw\n"
        "40 22 0:37 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n");
    put(proc / "self/cgroup", "0::/judge.service\n");
    put(own / "cgroup.controllers", "cpu memory pids\n");
    put(own / "cgroup.subtree_control", "");
    put(base / "cgroup.subtree_control", "");
    for (const char* f : {"memory.max", "memory.swap.max", "pids.max"}) put(slot / f, "max\n");
    for (const char* f : {"memory.oom.group", "memory.peak", "cgroup.procs", "cgroup.kill"}) {
      put(slot / f, "");
    }
    set_counters(1000, 0, 0, 4096);
  }
  void set_counters(std::uint64_t usage_usec, int oom_kills, int pids_max, std::uint64_t peak) {
    put(slot / "cpu.stat", "usage_usec " + std::to_string(usage_usec) +
                               "\nuser_usec 1\nsystem_usec 2\nnr_periods 0\n");
    put(slot / "memory.events", "low 0\nhigh 0\nmax 7\noom 3\noom_kill " +
                                    std::to_string(oom_kills) + "\noom_group_kill 0\n");
    put(slot / "pids.events", "max " + std::to_string(pids_max) + "\n");
    put(slot / "memory.peak", std::to_string(peak) + "\n");
  }
  CgroupSupport detect() const { return detect_cgroups(proc.string(), sys.string()); }
};

// ------------------------------------------------------------ real machine

bool root() {
  return geteuid() == 0;
}

// The real v1 support, or nullopt (with a WARN) where the real tests cannot run.
std::optional<CgroupSupport> real_v1() {
  if (!root()) {
    WARN("skipped: real cgroup tests need root");
    return std::nullopt;
  }
  CgroupSupport s = detect_cgroups();
  if (s.version != CgroupVersion::V1) {
    WARN("skipped: cgroup v1 memory+pids not in use here (" << cgroup_version_name(s.version)
                                                            << "; " << s.reason << ")");
    return std::nullopt;
  }
  return s;
}

// Our own directory in the real cgroup2 hierarchy, or "" if there is none.
std::string real_v2_dir() {
  std::string own, point;
  std::istringstream groups(slurp("/proc/self/cgroup"));
  for (std::string line; std::getline(groups, line);) {
    if (line.rfind("0::", 0) == 0) own = line.substr(3);
  }
  std::istringstream mounts(slurp("/proc/self/mountinfo"));
  for (std::string line; std::getline(mounts, line);) {
    std::istringstream f(line);
    std::string id, parent, dev, mroot, mpoint;
    f >> id >> parent >> dev >> mroot >> mpoint;
    if (line.find(" - cgroup2 ") != std::string::npos && mroot == "/") point = mpoint;
  }
  if (own.empty() || point.empty()) return {};
  return own == "/" ? point : point + own;
}

// clone3(CLONE_INTO_CGROUP): like fork, but the child starts inside the cgroup.
pid_t clone_into(int cgroup_fd) {
  clone_args args{};
  args.flags = CLONE_INTO_CGROUP;
  args.exit_signal = SIGCHLD;
  args.cgroup = static_cast<std::uint64_t>(cgroup_fd);
  pid_t pid = static_cast<pid_t>(syscall(SYS_clone3, &args, sizeof args));
  if (pid != 0) REQUIRE(pid > 0);
  return pid;
}

std::string cgroup_line_of(pid_t pid, const std::string& prefix) {
  std::istringstream in(slurp("/proc/" + std::to_string(pid) + "/cgroup"));
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) == 0) return line;
  }
  return {};
}

}  // namespace

// ============================================================ parsing

TEST_CASE("read_keyed_value reads 'key value' lines", "[cgroup]") {
  std::string events = "low 0\nhigh 0\nmax 12\noom 3\noom_kill 2\noom_group_kill 0\n";
  CHECK(read_keyed_value(events, "oom_kill") == 2);
  CHECK(read_keyed_value(events, "oom") == 3);  // a key is a whole word, not a prefix
  CHECK(read_keyed_value(events, "max") == 12);
  CHECK(read_keyed_value(events, "absent") == 0);
  CHECK(read_keyed_value("usage_usec 18446744073709551615", "usage_usec") == UINT64_MAX);
  CHECK(read_keyed_value("oom_kill_disable 0\nunder_oom 0\noom_kill 5", "oom_kill") == 5);
  CHECK(read_keyed_value("max lots\n", "max") == 0);
  CHECK(read_keyed_value("", "max") == 0);
}

// "" in the initial pid namespace (PROC_PID_INIT_INO), else "-ns<inode>".
std::string our_ns_suffix() {
  struct stat st {};
  REQUIRE(stat("/proc/self/ns/pid", &st) == 0);
  return st.st_ino == 0xEFFFFFFC ? "" : "-ns" + std::to_string(st.st_ino);
}

TEST_CASE("slot names embed our pid (and pid namespace)", "[cgroup]") {
  CHECK(slot_cgroup_name(3) == "slot-" + std::to_string(getpid()) + "-3" + our_ns_suffix());
  CgroupSupport none;
  CHECK_THROWS_AS(SlotCgroup::create(none, "slot-1"), std::system_error);
  FakeV2 fake;
  CgroupSupport s = fake.detect();
  for (const char* bad : {"", ".", "..", "a/b", "a b"}) {
    CHECK_THROWS_AS(SlotCgroup::create(s, bad), std::system_error);
  }
}

// ============================================================ detection (fake trees)

TEST_CASE("detect_cgroups picks v2 and enables its controllers like a delegated root", "[cgroup]") {
  FakeV2 fake;
  CgroupSupport s = fake.detect();
  INFO(s.reason);
  CHECK(s.version == CgroupVersion::V2);
  CHECK(s.v2_root == fake.own.string());
  CHECK((s.memory && s.pids && s.cpu));
  CHECK(slurp(fake.own / "cgroup.subtree_control") == "+memory +pids");
  // A plain directory has no cgroup.kill: the probe says no, and says why.
  CHECK_FALSE(s.cgroup_kill);
  CHECK(s.reason.find("cgroup.kill") != std::string::npos);
  for (const auto& e : fs::directory_iterator(fake.base)) {
    CHECK(e.path().filename().string().rfind("probe-", 0) != 0);  // the scratch cgroup is gone
  }

  SECTION("writes nothing when they are on already") {
    put(fake.own / "cgroup.subtree_control", "cpu memory pids\n");
    CHECK(fake.detect().version == CgroupVersion::V2);
    CHECK(slurp(fake.own / "cgroup.subtree_control") == "cpu memory pids\n");
  }
}

TEST_CASE("detect_cgroups: a judge in its delegated cgroup's judge leaf puts slots beside it",
          "[cgroup]") {
  FakeV2 fake;
  put(fake.proc / "self/cgroup", std::string("0::/judge.service/") + kJudgeLeaf + "\n");
  fs::create_directories(fake.own / kJudgeLeaf);
  CgroupSupport s = fake.detect();
  INFO(s.reason);
  CHECK(s.version == CgroupVersion::V2);
  CHECK(s.v2_root == fake.own.string());
  CHECK(slurp(fake.own / "cgroup.subtree_control") == "+memory +pids");
}

TEST_CASE("detect_cgroups falls back to v1 when v2 lacks memory (hybrid)", "[cgroup]") {
  TempDir tmp;
  fs::path proc = tmp.path / "proc", sys = tmp.path / "cg";
  put(proc / "self/mountinfo",
      "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
      "34 30 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
      "38 30 0:35 /outer /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n"
      "39 30 0:36 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd\n"
      "40 30 0:37 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n");
  put(proc / "self/cgroup",
      "9:name=systemd:/\n8:pids:/outer/job\n4:memory:/process_api/abc\n2:cpu,cpuacct:/\n0::/\n");
  put(sys / "unified/cgroup.controllers", "hugetlb\n");
  fs::create_directories(sys / "memory/process_api/abc");
  fs::create_directories(sys / "pids/job");  // mount root /outer: /outer/job is <mount>/job
  fs::create_directories(sys / "cpu,cpuacct");

  CgroupSupport s = detect_cgroups(proc.string(), sys.string());
  INFO(s.reason);
  CHECK(s.version == CgroupVersion::V1);
  CHECK(s.v1_memory == (sys / "memory/process_api/abc").string());
  CHECK(s.v1_pids == (sys / "pids/job").string());
  CHECK(s.v1_cpuacct == (sys / "cpu,cpuacct").string());
  CHECK((s.memory && s.pids && s.cpu));
  CHECK(s.reason.find("hugetlb") != std::string::npos);  // why not v2, for doctor

  SECTION("None with every reason when v1 pids is missing too") {
    put(proc / "self/mountinfo",
        "34 30 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
        "40 30 0:37 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n");
    CgroupSupport none = detect_cgroups(proc.string(), sys.string());
    CHECK(none.version == CgroupVersion::None);
    CHECK(none.reason.find("memory and pids") != std::string::npos);
    CHECK(none.reason.find("pids not mounted") != std::string::npos);
  }
}

TEST_CASE("detect_cgroups: None with a reason when /proc cannot be read", "[cgroup]") {
  TempDir tmp;
  CgroupSupport s = detect_cgroups((tmp.path / "nothing").string(), tmp.path.string());
  CHECK(s.version == CgroupVersion::None);
  CHECK(s.reason.find("mountinfo") != std::string::npos);
}

// ============================================================ slot (fake v2)

TEST_CASE("v2 slot on a fake tree: files, limits, deltas, kill", "[cgroup]") {
  FakeV2 fake;
  CgroupSupport s = fake.detect();
  s.cgroup_kill = true;  // as the probe finds on a fixed kernel
  auto slot = SlotCgroup::create(s, "slot-1");
  CHECK(slurp(fake.base / "cgroup.subtree_control") == "+memory +pids");
  CHECK(slurp(fake.slot / "memory.oom.group") == "1");
  CHECK(slot->dirs() == std::vector<std::string>{fake.slot.string()});
  struct stat st {};
  REQUIRE(slot->v2_dir_fd() >= 0);
  REQUIRE(fstat(slot->v2_dir_fd(), &st) == 0);
  CHECK(S_ISDIR(st.st_mode));
  CHECK((fcntl(slot->v2_dir_fd(), F_GETFD) & FD_CLOEXEC) != 0);

  SECTION("set_limits") {
    slot->set_limits(64 * kMiB, 10);
    CHECK(slurp(fake.slot / "memory.max") == "67108864");
    CHECK(slurp(fake.slot / "memory.swap.max") == "0");
    CHECK(slurp(fake.slot / "pids.max") == "10");
    slot->set_limits(0, 0);
    CHECK(slurp(fake.slot / "memory.max") == "max");
    CHECK(slurp(fake.slot / "pids.max") == "max");
  }
  SECTION("usage is measured from the last reset") {
    fake.set_counters(5000, 1, 4, 4096);  // an earlier run
    slot->reset();
    fake.set_counters(5000 + 300000, 2, 6, 12345678);
    SlotCgroup::Usage u = slot->usage();
    CHECK(u.cpu_seconds == Approx(0.3));
    CHECK(u.memory_peak == 12345678);
    CHECK(u.oom_killed);
    CHECK(u.pids_limited);

    slot->reset();
    fake.set_counters(5000 + 300000, 2, 6, 4096);
    u = slot->usage();
    CHECK(u.cpu_seconds == 0);
    CHECK(u.memory_peak == 4096);
    CHECK_FALSE(u.oom_killed);
    CHECK_FALSE(u.pids_limited);
  }
  SECTION("add writes the pid to cgroup.procs") {
    pid_t nobody = impossible_pid();  // never signalled: it cannot exist
    slot->add(nobody);
    CHECK(slurp(fake.slot / "cgroup.procs") == std::to_string(nobody));
    put(fake.slot / "cgroup.procs", "");
  }
  SECTION("kill_all writes cgroup.kill") {
    put(fake.slot / "cgroup.kill", "");
    CHECK(slot->kill_all());
    CHECK(slurp(fake.slot / "cgroup.kill") == "1");
    CHECK(slot->empty());
  }
  SECTION("kill_all leaves cgroup.kill alone when the probe said no") {
    slot.reset();
    put(fake.slot / "cgroup.kill", "");
    s.cgroup_kill = false;
    auto plain = SlotCgroup::create(s, "slot-1");
    CHECK(plain->kill_all());
    CHECK(slurp(fake.slot / "cgroup.kill").empty());
  }
}

TEST_CASE("v2 slot on a fake tree: optional files may be missing, required ones may not",
          "[cgroup]") {
  FakeV2 fake;
  for (const char* f : {"memory.swap.max", "memory.oom.group", "memory.peak", "pids.events"}) {
    fs::remove(fake.slot / f);
  }
  auto slot = SlotCgroup::create(fake.detect(), "slot-1");
  slot->set_limits(32 * kMiB, 3);
  slot->reset();
  SlotCgroup::Usage u = slot->usage();
  CHECK(u.memory_peak == 0);  // unknown: no per-run peak on this kernel
  CHECK_FALSE(u.pids_limited);

  fs::remove(fake.slot / "memory.max");
  try {
    slot->set_limits(32 * kMiB, 3);
    FAIL("set_limits without memory.max must throw");
  } catch (const std::system_error& e) {
    CHECK(std::string(e.what()).find("memory.max") != std::string::npos);
  }
}

TEST_CASE("v2 slot on a fake tree: cpuset when our cgroup offers it", "[cgroup][pinning]") {
  FakeV2 fake;
  CHECK_FALSE(fake.detect().cpuset);  // not offered: not used, nothing written for it
  CHECK_FALSE(SlotCgroup::create(fake.detect(), "slot-1")->has_cpuset());

  put(fake.own / "cgroup.controllers", "cpu cpuset memory pids\n");
  put(fake.slot / "cpuset.cpus", "");
  CgroupSupport s = fake.detect();
  CHECK(s.version == CgroupVersion::V2);
  CHECK(s.cpuset);
  // A plain file keeps only the last write: the second one enabled cpuset.
  CHECK(slurp(fake.own / "cgroup.subtree_control") == "+cpuset");
  auto slot = SlotCgroup::create(s, "slot-1");
  CHECK(slurp(fake.base / "cgroup.subtree_control") == "+cpuset");
  REQUIRE(slot->has_cpuset());
  slot->set_cpu(1);
  CHECK(slurp(fake.slot / "cpuset.cpus") == "1");
  slot->set_cpu(-1);  // empty: the parent's CPUs
  CHECK(trimmed(slurp(fake.slot / "cpuset.cpus")).empty());
}

TEST_CASE("v1 slot on a fake tree: a cpuset with the judge's CPUs and memory nodes, then one",
          "[cgroup][pinning]") {
  TempDir tmp;
  fs::path proc = tmp.path / "proc", sys = tmp.path / "cg";
  put(proc / "self/mountinfo",
      "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
      "32 30 0:29 / /sys/fs/cgroup/cpuset rw - cgroup cgroup rw,cpuset\n"
      "34 30 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
      "38 30 0:35 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n");
  put(proc / "self/cgroup", "8:pids:/\n4:memory:/\n3:cpuset:/judge\n2:cpu,cpuacct:/\n");
  fs::path own = sys / "cpuset/judge", base = own / "pipejudge", slot_dir = base / "slot-1";
  put(own / "cpuset.cpus", "0-3\n");
  put(own / "cpuset.mems", "0\n");
  // mkdir in a plain directory makes no control files: these stand in for them.
  for (const fs::path& d : {base, slot_dir}) {
    put(d / "cpuset.cpus", "\n");
    put(d / "cpuset.mems", "\n");
  }
  fs::create_directories(sys / "memory");
  fs::create_directories(sys / "pids");
  CgroupSupport s = detect_cgroups(proc.string(), sys.string());
  INFO(s.reason);
  REQUIRE(s.version == CgroupVersion::V1);
  CHECK(s.v1_cpuset == own.string());
  CHECK(s.cpuset);

  auto slot = SlotCgroup::create(s, "slot-1");
  REQUIRE(slot->has_cpuset());
  CHECK(slot->dirs().back() == slot_dir.string());  // the keeper moves each run in
  CHECK(slurp(base / "cpuset.cpus") == "0-3");
  CHECK(slurp(base / "cpuset.mems") == "0");
  CHECK(slurp(slot_dir / "cpuset.mems") == "0");
  CHECK(slurp(slot_dir / "cpuset.cpus") == "0-3");
  slot->set_cpu(2);
  CHECK(slurp(slot_dir / "cpuset.cpus") == "2");
  slot->set_cpu(-1);
  CHECK(slurp(slot_dir / "cpuset.cpus") == "0-3");

  SECTION("a cpuset that cannot be set up is left out; the slot goes on without it") {
    slot.reset();
    fs::create_directories(slot_dir);
    fs::remove(own / "cpuset.cpus");
    put(base / "cpuset.cpus", "\n");
    auto without = SlotCgroup::create(s, "slot-1");
    CHECK_FALSE(without->has_cpuset());
    CHECK(std::find(without->dirs().begin(), without->dirs().end(), slot_dir.string()) ==
          without->dirs().end());
  }
}

TEST_CASE("cleanup_stale_cgroups removes slots of dead judges only (fake v2)", "[cgroup]") {
  FakeV2 fake;
  CgroupSupport s = fake.detect();
  std::string ns = our_ns_suffix();
  std::string dead = "slot-" + std::to_string(impossible_pid()) + "-0" + ns;
  std::string dead_probe = "probe-" + std::to_string(impossible_pid()) + "-3" + ns;
  // Named in another pid namespace: its pid means nothing here, so it stays.
  std::string foreign =
      "slot-" + std::to_string(impossible_pid()) + "-1" + (ns.empty() ? "-ns12345" : "");
  std::string mine = slot_cgroup_name(0);
  for (const std::string& n : {dead, dead_probe, foreign, mine, std::string("other"),
                               std::string("slot-x-1"), std::string("slot-1-2-nsx")}) {
    fs::create_directories(fake.base / n);
  }
  CHECK(cleanup_stale_cgroups(s) == 2);
  CHECK_FALSE(fs::exists(fake.base / dead));
  CHECK_FALSE(fs::exists(fake.base / dead_probe));
  CHECK(fs::exists(fake.base / foreign));
  CHECK(fs::exists(fake.base / "slot-1-2-nsx"));
  CHECK(fs::exists(fake.base / mine));
  CHECK(fs::exists(fake.base / "other"));
  CHECK(fs::exists(fake.base / "slot-x-1"));
}

// ============================================================ real machine

TEST_CASE("detect_cgroups on this machine", "[cgroup][real]") {
  CgroupSupport s = detect_cgroups();
  WARN("cgroups: " << cgroup_version_name(s.version) << " memory=" << s.memory << " pids=" << s.pids
                   << " cpu=" << s.cpu << " v2_root=" << s.v2_root << " v1_memory=" << s.v1_memory
                   << " v1_pids=" << s.v1_pids << " v1_cpuacct=" << s.v1_cpuacct
                   << " reason=" << s.reason);
  if (!root()) return;
  std::string v2 = real_v2_dir();
  bool v2_has_memory =
      !v2.empty() && slurp(v2 + "/cgroup.controllers").find("memory") != std::string::npos;
  if (fs::exists("/sys/fs/cgroup/memory/memory.limit_in_bytes") && !v2_has_memory) {
    CHECK(s.version == CgroupVersion::V1);
    CHECK((s.memory && s.pids && s.cpu));
  }
}

TEST_CASE("real v1: the OOM killer stops a run at the memory limit", "[cgroup][real]") {
  auto s = real_v1();
  if (!s) return;
  auto slot = SlotCgroup::create(*s, slot_cgroup_name(1));
  slot->set_limits(64 * kMiB, 0);
  CHECK(trimmed(slurp(slot->dirs()[0] + "/memory.limit_in_bytes")) == std::to_string(64 * kMiB));
  if (fs::exists(slot->dirs()[0] + "/memory.memsw.limit_in_bytes")) {
    CHECK(trimmed(slurp(slot->dirs()[0] + "/memory.memsw.limit_in_bytes")) ==
          std::to_string(64 * kMiB));
  }
  slot->reset();
  Gate gate;
  Child hog(fork_gated(gate, [] {
    constexpr std::size_t size = 200 * kMiB;
    auto* p = static_cast<volatile char*>(
        mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    if (p == MAP_FAILED) _exit(2);
    for (std::size_t i = 0; i < size; i += 4096) p[i] = 1;
    _exit(0);
  }));
  slot->add(hog.pid());
  gate.go();
  int status = hog.wait();
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
  SlotCgroup::Usage u = slot->usage();
  CHECK(u.oom_killed);
  CHECK(u.memory_peak <= 64 * kMiB);
  CHECK(u.memory_peak >= 56 * kMiB);

  SECTION("the next run of the slot starts from fresh baselines") {
    slot->set_limits(64 * kMiB, 0);
    slot->reset();
    Gate gate2;
    Child small(fork_gated(gate2, [] { _exit(0); }));
    slot->add(small.pid());
    gate2.go();
    CHECK(small.wait() == 0);
    u = slot->usage();
    CHECK_FALSE(u.oom_killed);
    CHECK(u.memory_peak < 16 * kMiB);
  }
}

TEST_CASE("real v1: CPU time of the run", "[cgroup][real]") {
  auto s = real_v1();
  if (!s) return;
  auto slot = SlotCgroup::create(*s, slot_cgroup_name(2));
  slot->set_limits(256 * kMiB, 16);
  slot->reset();
  Gate gate;
  Child burner(fork_gated(gate, [] { burn_cpu_and_exit(0.3); }));
  slot->add(burner.pid());
  gate.go();
  CHECK(burner.wait() == 0);
  SlotCgroup::Usage u = slot->usage();
  CHECK(u.cpu_seconds == Approx(0.3).margin(0.1));
  CHECK_FALSE(u.oom_killed);
  CHECK_FALSE(u.pids_limited);
}

TEST_CASE("real v1: a slot's cpuset confines a process to one CPU", "[cgroup][real][pinning]") {
  auto s = real_v1();
  if (!s) return;
  if (!s->cpuset) {
    WARN("skipped: no v1 cpuset hierarchy here (" << s->reason << ")");
    return;
  }
  auto slot = SlotCgroup::create(*s, slot_cgroup_name(5));
  REQUIRE(slot->has_cpuset());
  cpu_set_t mine;
  CPU_ZERO(&mine);
  REQUIRE(sched_getaffinity(0, sizeof mine, &mine) == 0);
  int last = -1;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &mine)) last = c;
  slot->set_cpu(last);
  slot->reset();
  Gate gate;
  Child child(fork_gated(gate, [] {
    // Asks for every CPU; the cpuset keeps it on one.
    cpu_set_t all;
    CPU_ZERO(&all);
    for (int c = 0; c < 64; ++c) CPU_SET(c, &all);
    sched_setaffinity(0, sizeof all, &all);
    cpu_set_t now;
    CPU_ZERO(&now);
    if (sched_getaffinity(0, sizeof now, &now) != 0) _exit(2);
    _exit(CPU_COUNT(&now) == 1 ? 0 : 1);
  }));
  slot->add(child.pid());
  gate.go();
  int status = child.wait();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(trimmed(slurp(slot->dirs().back() + "/cpuset.cpus")) == std::to_string(last));
}

TEST_CASE("real v1: the pids limit stops forks", "[cgroup][real]") {
  auto s = real_v1();
  if (!s) return;
  auto slot = SlotCgroup::create(*s, slot_cgroup_name(3));
  slot->set_limits(256 * kMiB, 5);
  CHECK(trimmed(slurp(s->v1_pids + "/pipejudge/" + slot_cgroup_name(3) + "/pids.max")) == "5");
  slot->reset();
  Gate gate;
  // Exits with the number of failed forks; kills and reaps its own children first.
  Child forker(fork_gated(gate, [] {
    pid_t kids[20];
    int started = 0, failed = 0;
    for (int i = 0; i < 20; ++i) {
      pid_t p = fork();
      if (p == 0) {
        pause();
        _exit(0);
      }
      if (p < 0) ++failed;
      if (p > 0) kids[started++] = p;
    }
    for (int i = 0; i < started; ++i) kill(kids[i], SIGKILL);
    for (int i = 0; i < started; ++i) waitpid(kids[i], nullptr, 0);
    _exit(failed);
  }));
  slot->add(forker.pid());
  gate.go();
  int status = forker.wait();
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 16);  // 5 = the forker + 4 children
  CHECK(slot->usage().pids_limited);
}

TEST_CASE("real v1: kill_all empties the slot, destruction removes it", "[cgroup][real]") {
  auto s = real_v1();
  if (!s) return;
  auto slot = SlotCgroup::create(*s, slot_cgroup_name(4));
  std::vector<std::string> dirs = slot->dirs();
  CHECK(dirs.size() == (s->cpuset ? 4u : 3u));  // memory, pids, cpuacct (and cpuset)
  for (const std::string& d : dirs) CHECK(fs::is_directory(d));
  CHECK(slot->v2_dir_fd() == -1);
  CHECK(slot->empty());

  Gate gate;
  Child a(fork_gated(gate, [] {
    for (;;) pause();
  }));
  Child b(fork_gated(gate, [] {
    for (;;) pause();
  }));
  slot->add(a.pid());
  slot->add(b.pid());
  CHECK(cgroup_line_of(a.pid(), "4:memory:").find(slot_cgroup_name(4)) != std::string::npos);
  CHECK_FALSE(slot->empty());
  CHECK(slot->kill_all());
  CHECK(slot->empty());
  for (Child* c : {&a, &b}) {
    int status = c->wait();
    CHECK((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
  }
  slot.reset();
  for (const std::string& d : dirs) CHECK_FALSE(fs::exists(d));
}

TEST_CASE("real v1: cleanup_stale_cgroups kills and removes a dead judge's slot",
          "[cgroup][real]") {
  auto s = real_v1();
  if (!s) return;
  std::string dead = "slot-" + std::to_string(impossible_pid()) + "-9" + our_ns_suffix();
  std::string live = slot_cgroup_name(99);
  std::vector<std::string> stale_dirs, live_dirs;
  for (const std::string& root : {s->v1_memory, s->v1_pids, s->v1_cpuacct}) {
    stale_dirs.push_back(root + "/pipejudge/" + dead);
    live_dirs.push_back(root + "/pipejudge/" + live);
  }
  for (const std::string& d : stale_dirs) fs::create_directories(d);
  for (const std::string& d : live_dirs) fs::create_directories(d);
  Gate gate;
  Child orphan(fork_gated(gate, [] {
    for (;;) pause();
  }));
  std::ofstream(stale_dirs[0] + "/cgroup.procs") << orphan.pid();  // left by the "crashed" judge

  CHECK(cleanup_stale_cgroups(*s) >= 1);
  int status = orphan.wait();
  CHECK((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
  for (const std::string& d : stale_dirs) CHECK_FALSE(fs::exists(d));
  for (const std::string& d : live_dirs) CHECK(fs::exists(d));
  for (const std::string& d : live_dirs) rmdir(d.c_str());
}

TEST_CASE("real v2 without controllers: CLONE_INTO_CGROUP, cpu.stat, kill, reuse",
          "[cgroup][real]") {
  std::string v2 = real_v2_dir();
  if (!root() || v2.empty() || !fs::exists(v2 + "/cgroup.procs")) {
    WARN("skipped: needs root and a cgroup2 mount");
    return;
  }
  CgroupSupport s;
  s.version = CgroupVersion::V2;
  s.v2_root = v2;
  s.cpu = true;  // memory and pids are bound to v1 here: the slot works without them
  std::string why;
  s.cgroup_kill = probe_cgroup_kill(v2, &why);
  WARN("cgroup.kill usable: " << s.cgroup_kill << " " << why);
  auto slot = SlotCgroup::create(s, slot_cgroup_name(5));
  slot->set_limits(64 * kMiB, 5);  // nothing to set without the controllers
  slot->reset();
  REQUIRE(slot->v2_dir_fd() >= 0);

  Gate done;
  pid_t pid = clone_into(slot->v2_dir_fd());
  if (pid == 0) {  // born inside the slot: burn, report, wait to be killed
    while (cpu_seconds_of_this_process() < 0.2) {
    }
    if (write(done.fds[1], "d", 1) != 1) _exit(4);
    for (;;) pause();
  }
  Child burner(pid);
  REQUIRE(done.signalled(3000));
  CHECK(cgroup_line_of(pid, "0::").find("/pipejudge/" + slot_cgroup_name(5)) != std::string::npos);
  CHECK(slot->usage().cpu_seconds == Approx(0.2).margin(0.1));
  CHECK_FALSE(slot->empty());
  CHECK(slot->kill_all());
  int status = burner.wait();
  CHECK((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
  CHECK(slot->empty());

  // The next run of the slot: children cloned into it must still live.
  slot->reset();
  pid_t again = clone_into(slot->v2_dir_fd());
  if (again == 0) _exit(7);
  Child second(again);
  status = second.wait();
  CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 7));

  std::string dir = slot->dirs()[0];
  slot.reset();
  CHECK_FALSE(fs::exists(dir));
}

TEST_CASE("real v2: a judge alone in its cgroup moves into a leaf; one that is not stays",
          "[cgroup][real]") {
  std::string v2 = real_v2_dir();
  if (!root() || v2.empty() || !fs::exists(v2 + "/cgroup.procs")) {
    WARN("skipped: needs root and a cgroup2 mount");
    return;
  }
  std::string home;  // our cgroup, to go back to
  std::istringstream groups(slurp("/proc/self/cgroup"));
  for (std::string line; std::getline(groups, line);)
    if (line.rfind("0::", 0) == 0) home = v2 + line.substr(3);
  const fs::path scope = fs::path(v2) / ("pj-test-scope-" + std::to_string(getpid()));
  fs::create_directory(scope);
  auto move_to = [](const fs::path& dir, pid_t pid) {
    std::ofstream(dir / "cgroup.procs") << pid << std::flush;
  };

  SECTION("another process in the scope: EBUSY, nothing moves") {
    pid_t sleeper = fork();
    if (sleeper == 0) {
      pause();
      _exit(0);
    }
    Child other(sleeper);
    move_to(scope, sleeper);
    move_to(scope, getpid());
    CHECK(move_into_judge_leaf(scope.string(), {}) == EBUSY);
    CHECK(cgroup_line_of(getpid(), "0::").find(kJudgeLeaf) == std::string::npos);
    move_to(home, sleeper);
    kill(sleeper, SIGKILL);
    other.wait();
  }
  SECTION("alone: into the leaf, the scope empty") {
    move_to(scope, getpid());
    CHECK(move_into_judge_leaf(scope.string(), {}) == 0);
    CHECK(cgroup_line_of(getpid(), "0::").find(std::string("/") + kJudgeLeaf) != std::string::npos);
    CHECK(slurp(scope / "cgroup.procs").empty());
    CHECK(slurp(scope / kJudgeLeaf / "cgroup.procs") == std::to_string(getpid()) + "\n");
  }
  move_to(home, getpid());
  std::error_code ec;
  fs::remove(scope / kJudgeLeaf, ec);
  fs::remove(scope, ec);
  CHECK_FALSE(fs::exists(scope));
}
