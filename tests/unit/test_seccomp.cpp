// The seccomp policy denies what a judged program never needs, lets ordinary
// programs run, and a denied syscall reaches the supervisor as a named
// violation. Programs are started the way the keeper starts them:
// clone(CLONE_VM | CLONE_VFORK | CLONE_FILES), install, exec. x86_64 only
// (syscall numbers, ABIs and the inline assembly of the helper).
#if defined(__x86_64__)

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "sandbox/fd.hpp"
#include "sandbox/seccomp.hpp"
#include "scratch_dir.hpp"

namespace fs = std::filesystem;
using namespace pj::sandbox;

namespace {

// One small C program, one denied or allowed call per mode. Exit status: 0
// if the call succeeded, else its errno (codes >= 100: a broken expectation).
constexpr char kHelperSource[] = R"(
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

static int result(long rc) { return rc == -1 ? errno : 0; }

static void* thread_main(void* arg) { return arg; }

static int threads(void) {
  /* Without the filter clone3(NULL, 0) is EINVAL; the policy answers ENOSYS. */
  if (syscall(SYS_clone3, NULL, 0) != -1 || errno != ENOSYS) return 101;
  pthread_t t;
  if (pthread_create(&t, NULL, thread_main, NULL) != 0) return 102;
  return pthread_join(t, NULL) == 0 ? 0 : 103;
}

static int clone_new_mount_namespace(void) {
  long pid = syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0);
  if (pid == 0) _exit(0);
  if (pid > 0) waitpid((pid_t)pid, 0, 0);
  return result(pid);
}

static int int80_getpid(void) {
  long rc;
  __asm__ volatile("int $0x80" : "=a"(rc) : "a"(20L) : "memory", "r8", "r9", "r10", "r11");
  if (rc < 0) return (int)-rc;
  return rc == getpid() ? 0 : 104;
}

static int unix_sockets(void) {
  int sv[2];
  if (socket(AF_UNIX, SOCK_STREAM, 0) < 0) return errno;
  return result(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
}

int main(int argc, char** argv) {
  const char* m = argc > 1 ? argv[1] : "";
  const char* path = argc > 2 ? argv[2] : "/nonexistent";
  if (!strcmp(m, "true")) return 0;
  if (!strcmp(m, "ptrace")) return result(ptrace(PTRACE_TRACEME, 0, 0, 0));
  if (!strcmp(m, "mount")) return result(mount("none", "/nonexistent-pj-target", "tmpfs", 0, 0));
  if (!strcmp(m, "unshare-user")) return result(unshare(CLONE_NEWUSER));
  if (!strcmp(m, "clone-newns")) return clone_new_mount_namespace();
  if (!strcmp(m, "socket-inet")) return result(socket(AF_INET, SOCK_STREAM, 0));
  if (!strcmp(m, "socket-unix")) return unix_sockets();
  if (!strcmp(m, "threads")) return threads();
  if (!strcmp(m, "persona-default")) return result(personality(PER_LINUX));
  if (!strcmp(m, "persona-no-aslr")) return result(personality(ADDR_NO_RANDOMIZE));
  /* The kernel reads the request as 32 bits: high bits must not get it past the filter. */
  if (!strcmp(m, "tiocsti")) return result(syscall(SYS_ioctl, -1, (1UL << 32) | TIOCSTI, "x"));
  if (!strcmp(m, "mknod-device")) return result(mknod(path, S_IFCHR | 0600, makedev(1, 3)));
  if (!strcmp(m, "mkfifo")) return result(mkfifo(path, 0600));
  if (!strcmp(m, "int80")) return int80_getpid();
  if (!strcmp(m, "x32")) return result(syscall(0x40000000 | SYS_getpid));
  return 200;
}
)";

struct TempDir : pj::test::ScratchDir {
  TempDir() : ScratchDir("pj-seccomp") {}
};

// The helper, compiled once per test run.
struct Helper {
  TempDir dir;
  std::string path = (dir.path / "helper").string();

  Helper() {
    std::ofstream(dir.path / "helper.c") << kHelperSource;
    std::string cmd = "cc -O1 -pthread -o " + path + " " + (dir.path / "helper.c").string() +
                      " 2>" + (dir.path / "cc.log").string();
    if (std::system(cmd.c_str()) != 0)
      throw std::runtime_error("cannot compile the helper: " + cmd);
  }
  static const Helper& get() {
    static const Helper helper;
    return helper;
  }
};

std::vector<std::string> helper(const std::string& mode, const std::string& arg = "") {
  std::vector<std::string> argv{Helper::get().path, mode};
  if (!arg.empty()) argv.push_back(arg);
  return argv;
}

// Shared with the cloned child through CLONE_VM: it writes, the launcher
// reads once the child has exec'd or died (CLONE_VFORK).
struct LaunchContext {
  const SeccompPolicy* policy = nullptr;
  char** argv = nullptr;
  int install_result = 0;  // listener fd, 0 without one, or -errno
  int exec_errno = 0;
};

// The child side, on the launcher's memory: async-signal-safe calls only.
int launch_child(void* arg) {
  auto* c = static_cast<LaunchContext*>(arg);
  c->install_result = install_policy(*c->policy);
  if (c->install_result < 0) _exit(126);
  execv(c->argv[0], c->argv);
  c->exec_errno = errno;
  _exit(127);
}

class ChildStack {
 public:
  ChildStack() {
    base_ = mmap(nullptr, kSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
                 -1, 0);
    if (base_ == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap");
  }
  ~ChildStack() { munmap(base_, kSize); }
  ChildStack(const ChildStack&) = delete;
  ChildStack& operator=(const ChildStack&) = delete;
  void* top() const { return static_cast<char*>(base_) + kSize; }

 private:
  static constexpr std::size_t kSize = 256 << 10;
  void* base_;
};

// A program started under the policy as the keeper starts one. Destruction
// kills and reaps it, whatever the test did.
class Program {
 public:
  Program(const SeccompPolicy& policy, std::vector<std::string> args) : args_(std::move(args)) {
    for (auto& a : args_) argv_.push_back(a.data());
    argv_.push_back(nullptr);
    LaunchContext ctx{&policy, argv_.data()};
    ChildStack stack;  // free once clone returns: the child has exec'd or exited
    pid_ = clone(launch_child, stack.top(), CLONE_VM | CLONE_VFORK | CLONE_FILES | SIGCHLD, &ctx);
    if (pid_ < 0) throw std::system_error(errno, std::generic_category(), "clone");
    pidfd_.reset(static_cast<int>(syscall(SYS_pidfd_open, pid_, 0)));
    if (policy.notifies && ctx.install_result >= 0) listener_.reset(ctx.install_result);
    install_result_ = ctx.install_result;
    if (ctx.install_result < 0 || ctx.exec_errno != 0 || !pidfd_) {
      kill_and_reap();
      throw std::runtime_error("start failed: install " + std::to_string(ctx.install_result) +
                               ", exec errno " + std::to_string(ctx.exec_errno));
    }
  }
  ~Program() { kill_and_reap(); }
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  pid_t pid() const { return pid_; }
  int pidfd() const { return pidfd_.get(); }
  int listener() const { return listener_.get(); }
  int install_result() const { return install_result_; }

  // Kills the program if it still runs; returns its wait status.
  int kill_and_reap() {
    if (!reaped_) {
      kill(pid_, SIGKILL);  // a no-op on a zombie: its status stays
      while (waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
      }
      reaped_ = true;
    }
    return status_;
  }

 private:
  std::vector<std::string> args_;
  std::vector<char*> argv_;
  pid_t pid_ = -1;
  UniqueFd pidfd_, listener_;
  int install_result_ = 0;
  int status_ = 0;
  bool reaped_ = false;
};

struct Outcome {
  std::optional<Violation> violation;
  int status = 0;  // wait status
  bool timed_out = false;
};

enum class OnViolation { Kill, LetRun };

// The keeper's loop: wait for the program's end or a notification; on a
// notification take it (it is answered with EPERM) and, like the keeper,
// kill the run.
Outcome supervise(Program& p, OnViolation on_violation = OnViolation::Kill) {
  using namespace std::chrono;
  Outcome out;
  int listener = p.listener();
  auto deadline = steady_clock::now() + seconds(5);
  for (;;) {
    auto left = duration_cast<milliseconds>(deadline - steady_clock::now()).count();
    if (left <= 0) {
      out.timed_out = true;
      break;
    }
    pollfd fds[2] = {{p.pidfd(), POLLIN, 0}, {listener, POLLIN, 0}};
    if (poll(fds, 2, static_cast<int>(left)) < 0) continue;  // EINTR
    if (fds[1].revents & POLLIN) {
      if (auto v = take_notification(listener)) {
        out.violation = v;
        if (on_violation == OnViolation::Kill) break;
      }
    } else if (fds[1].revents) {
      listener = -1;  // POLLHUP: no task uses the filter any more
    }
    if (fds[0].revents & POLLIN) break;
  }
  out.status = p.kill_and_reap();
  return out;
}

Outcome run_under(const SeccompPolicy& policy, std::vector<std::string> args,
                  OnViolation on_violation = OnViolation::Kill) {
  Program p(policy, std::move(args));
  return supervise(p, on_violation);
}

const SeccompPolicy& default_policy() {
  static const SeccompPolicy policy = build_policy();
  return policy;
}

bool exited_with(int status, int code) {
  return WIFEXITED(status) && WEXITSTATUS(status) == code;
}

// Runs a program without any filter; returns its wait status.
int run_unfiltered(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (int err = posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ))
    throw std::system_error(err, std::generic_category(), "posix_spawn");
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

// Runs the filter on one syscall as the kernel would, for the opcodes
// libseccomp emits; this checks ABIs the test machine's kernel may not offer.
std::uint32_t run_filter(const std::vector<sock_filter>& prog, const seccomp_data& data) {
  std::uint32_t acc = 0;
  for (std::size_t pc = 0; pc < prog.size(); ++pc) {
    const sock_filter& in = prog[pc];
    switch (in.code) {
      case BPF_LD | BPF_W | BPF_ABS:
        if (in.k + sizeof acc > sizeof data) FAIL("load beyond seccomp_data: " << in.k);
        std::memcpy(&acc, reinterpret_cast<const char*>(&data) + in.k, sizeof acc);
        break;
      case BPF_ALU | BPF_AND | BPF_K:
        acc &= in.k;
        break;
      case BPF_JMP | BPF_JA:
        pc += in.k;
        break;
      case BPF_JMP | BPF_JEQ | BPF_K:
        pc += acc == in.k ? in.jt : in.jf;
        break;
      case BPF_JMP | BPF_JGT | BPF_K:
        pc += acc > in.k ? in.jt : in.jf;
        break;
      case BPF_JMP | BPF_JGE | BPF_K:
        pc += acc >= in.k ? in.jt : in.jf;
        break;
      case BPF_JMP | BPF_JSET | BPF_K:
        pc += (acc & in.k) ? in.jt : in.jf;
        break;
      case BPF_RET | BPF_K:
        return in.k;
      default:
        FAIL("unexpected BPF opcode " << in.code);
    }
  }
  FAIL("the filter fell off its end");
  return 0;
}

std::uint32_t verdict(const SeccompPolicy& policy, int nr, std::vector<std::uint64_t> args = {},
                      std::uint32_t arch = AUDIT_ARCH_X86_64) {
  seccomp_data d{};
  d.nr = nr;
  d.arch = arch;
  for (std::size_t i = 0; i < args.size(); ++i) d.args[i] = args[i];
  return run_filter(policy.program, d);
}

constexpr std::uint32_t kAllow = SECCOMP_RET_ALLOW;
constexpr std::uint32_t kNotify = SECCOMP_RET_USER_NOTIF;
constexpr std::uint32_t kEnosys = SECCOMP_RET_ERRNO | ENOSYS;
constexpr std::uint32_t kEperm = SECCOMP_RET_ERRNO | EPERM;

}  // namespace

TEST_CASE("the policy notifies on this kernel", "[seccomp]") {
  // Every test below that expects a named violation relies on it.
  REQUIRE(default_policy().notifies);
  REQUIRE(default_policy().program.size() <= BPF_MAXINSNS);
}

TEST_CASE("setting the clocks is refused, not punished", "[seccomp]") {
  const SeccompPolicy& p = default_policy();
  for (int nr : {SYS_settimeofday, SYS_clock_settime, SYS_clock_adjtime, SYS_adjtimex}) {
    INFO(nr);
    CHECK(verdict(p, nr) == kEperm);
  }
}

TEST_CASE("changing the CPU affinity is refused; reading it is not", "[seccomp]") {
  const SeccompPolicy& p = default_policy();
  CHECK(verdict(p, SYS_sched_setaffinity) == kEperm);
  CHECK(verdict(p, SYS_sched_getaffinity) == kAllow);
}

TEST_CASE("a no-exec policy lets exactly the supervisor's exec through", "[seccomp]") {
  static const char path[] = "/box/main";
  SeccompOptions o;
  o.only_exec_path = path;
  SeccompPolicy p = build_policy(o);
  auto ours = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(path));
  CHECK(verdict(p, SYS_execve, {ours}) == kAllow);
  CHECK(verdict(p, SYS_execve, {ours + 1}) == kNotify);
  CHECK(verdict(p, SYS_execve, {0}) == kNotify);
  CHECK(verdict(p, SYS_execveat, {0, ours}) == kNotify);
  CHECK(verdict(default_policy(), SYS_execve, {ours + 1}) == kAllow);
}

TEST_CASE("the filter denies by syscall and argument", "[seccomp]") {
  const SeccompPolicy& p = default_policy();
  for (const char* name : {"ptrace",
                           "process_vm_readv",
                           "process_vm_writev",
                           "mount",
                           "umount2",
                           "pivot_root",
                           "chroot",
                           "unshare",
                           "setns",
                           "kexec_load",
                           "kexec_file_load",
                           "bpf",
                           "keyctl",
                           "add_key",
                           "request_key",
                           "perf_event_open",
                           "init_module",
                           "finit_module",
                           "delete_module",
                           "reboot",
                           "swapon",
                           "swapoff",
                           "acct",
                           "quotactl",
                           "sethostname",
                           "setdomainname",
                           "iopl",
                           "ioperm",
                           "io_uring_enter",
                           "io_uring_register",
                           "userfaultfd",
                           "fanotify_init",
                           "open_by_handle_at",
                           "name_to_handle_at",
                           "lookup_dcookie",
                           "vhangup",
                           "syslog",
                           "pidfd_getfd",
                           "fsopen"}) {
    INFO(name);
    CHECK(verdict(p, seccomp_syscall_resolve_name(name)) == kNotify);
  }
  for (int nr : {SYS_read, SYS_write, SYS_mmap, SYS_execve, SYS_getpid, SYS_setuid, SYS_setresuid,
                 SYS_socketpair, SYS_prctl, SYS_seccomp, SYS_kill, SYS_wait4}) {
    INFO(nr);
    CHECK(verdict(p, nr) == kAllow);
  }

  SECTION("probed syscalls get ENOSYS, so runtimes fall back") {
    CHECK(verdict(p, SYS_clone3) == kEnosys);
    CHECK(verdict(p, SYS_io_uring_setup) == kEnosys);
  }
  SECTION("clone: threads and forks yes, namespaces no") {
    std::uint64_t thread = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
                           CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |
                           CLONE_CHILD_CLEARTID;
    CHECK(verdict(p, SYS_clone, {thread}) == kAllow);
    CHECK(verdict(p, SYS_clone, {CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD}) == kAllow);
    CHECK(verdict(p, SYS_clone, {CLONE_VM | CLONE_VFORK | SIGCHLD}) == kAllow);
    for (std::uint64_t ns : {CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
                             CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET}) {
      INFO(ns);
      CHECK(verdict(p, SYS_clone, {ns | SIGCHLD}) == kNotify);
      CHECK(verdict(p, SYS_clone, {thread | ns}) == kNotify);
    }
  }
  SECTION("sockets: AF_UNIX only") {
    CHECK(verdict(p, SYS_socket, {AF_UNIX, SOCK_STREAM}) == kAllow);
    for (std::uint64_t family : {AF_INET, AF_INET6, AF_NETLINK, AF_PACKET, AF_VSOCK}) {
      INFO(family);
      CHECK(verdict(p, SYS_socket, {family, SOCK_STREAM}) == kNotify);
    }
    CHECK(verdict(p, SYS_socket, {(1ull << 32) | AF_UNIX}) == kNotify);  // junk: denied too
  }
  SECTION("ioctl: no terminal injection, even with high bits set") {
    CHECK(verdict(p, SYS_ioctl, {0, TIOCSTI}) == kNotify);
    CHECK(verdict(p, SYS_ioctl, {0, (1ull << 32) | TIOCSTI}) == kNotify);
    CHECK(verdict(p, SYS_ioctl, {0, TIOCLINUX}) == kNotify);
    CHECK(verdict(p, SYS_ioctl, {0, TCGETS}) == kAllow);
    CHECK(verdict(p, SYS_ioctl, {0, FIONREAD}) == kAllow);
  }
  SECTION("personality: the default persona only") {
    CHECK(verdict(p, SYS_personality, {PER_LINUX}) == kAllow);
    CHECK(verdict(p, SYS_personality, {ADDR_NO_RANDOMIZE}) == kNotify);
    CHECK(verdict(p, SYS_personality, {READ_IMPLIES_EXEC}) == kNotify);
    CHECK(verdict(p, SYS_personality, {0xffffffff}) == kNotify);
  }
  SECTION("mknod: fifos and files yes, devices no") {
    CHECK(verdict(p, SYS_mknod, {0, S_IFIFO | 0600}) == kAllow);
    CHECK(verdict(p, SYS_mknod, {0, S_IFREG | 0600}) == kAllow);
    CHECK(verdict(p, SYS_mknod, {0, S_IFCHR | 0600}) == kNotify);
    CHECK(verdict(p, SYS_mknod, {0, S_IFBLK | 0600}) == kNotify);
    CHECK(verdict(p, SYS_mknodat, {0, 0, S_IFIFO | 0600}) == kAllow);
    CHECK(verdict(p, SYS_mknodat, {0, 0, S_IFCHR | 0600}) == kNotify);
    CHECK(verdict(p, SYS_mknodat, {0, 0, S_IFBLK | 0600}) == kNotify);
  }
  SECTION("every non-native ABI is denied as a whole") {
    CHECK(verdict(p, 20, {}, AUDIT_ARCH_I386) == kNotify);             // int 0x80 getpid
    CHECK(verdict(p, 0x40000000 | SYS_getpid) == kNotify);             // x32 getpid
    CHECK(verdict(p, 0x40000000 | SYS_read) == kNotify);               // x32 read
    CHECK(verdict(p, SYS_getpid, {}, AUDIT_ARCH_AARCH64) == kNotify);  // any other arch
  }
}

TEST_CASE("options and the kill fallback change the filter", "[seccomp]") {
  SECTION("allow_network") {
    SeccompPolicy p = build_policy({.allow_network = true});
    CHECK(verdict(p, SYS_socket, {AF_INET, SOCK_STREAM}) == kAllow);
    CHECK(verdict(p, SYS_ptrace) == kNotify);
  }
  SECTION("allow_namespaces") {
    SeccompPolicy p = build_policy({.allow_namespaces = true});
    CHECK(verdict(p, SYS_unshare, {CLONE_NEWUSER}) == kAllow);
    CHECK(verdict(p, SYS_setns) == kAllow);
    CHECK(verdict(p, SYS_clone, {CLONE_NEWUSER | SIGCHLD}) == kAllow);
    CHECK(verdict(p, SYS_socket, {AF_INET, SOCK_STREAM}) == kNotify);
  }
  SECTION("Report::Kill") {
    SeccompPolicy p = build_policy({.report = SeccompOptions::Report::Kill});
    CHECK_FALSE(p.notifies);
    CHECK(verdict(p, SYS_ptrace) == SECCOMP_RET_KILL_PROCESS);
    CHECK(verdict(p, 20, {}, AUDIT_ARCH_I386) == SECCOMP_RET_KILL_PROCESS);
    CHECK(verdict(p, SYS_clone3) == kEnosys);
  }
}

TEST_CASE("the listener reaches the launcher through CLONE_FILES, not the program", "[seccomp]") {
  Program p(default_policy(), helper("ptrace"));
  int listener = p.listener();
  REQUIRE(listener >= 0);
  // Created O_CLOEXEC by the kernel: the launcher's copy stays, the program's closed at exec.
  CHECK((fcntl(listener, F_GETFD) & FD_CLOEXEC) != 0);

  pollfd pfd{listener, POLLIN, 0};
  REQUIRE(poll(&pfd, 1, 5000) == 1);  // the program is stopped in ptrace now
  std::string in_program = "/proc/" + std::to_string(p.pid()) + "/fd/" + std::to_string(listener);
  CHECK_FALSE(fs::exists(fs::symlink_status(in_program)));

  auto v = take_notification(listener);
  REQUIRE(v);
  CHECK(v->pid == p.pid());
  CHECK(v->arch == AUDIT_ARCH_X86_64);
  CHECK(v->syscall_nr == SYS_ptrace);
  CHECK(v->args[0] == PTRACE_TRACEME);
  CHECK(syscall_name(v->syscall_nr, v->arch) == "ptrace");
  CHECK(violation_reason(*v) == "forbidden syscall ptrace");
  // Answered with EPERM, it may run on (and exit) before the kill lands.
  int status = p.kill_and_reap();
  CHECK((WTERMSIG(status) == SIGKILL || exited_with(status, EPERM)));
}

TEST_CASE("denied syscalls are named", "[seccomp]") {
  TempDir dir;
  struct Case {
    std::vector<std::string> argv;
    const char* reason;
  };
  std::vector<Case> cases = {
      {helper("ptrace"), "forbidden syscall ptrace"},
      {helper("mount"), "forbidden syscall mount"},
      {helper("unshare-user"), "forbidden syscall unshare"},
      {helper("clone-newns"), "forbidden syscall clone"},
      {helper("socket-inet"), "forbidden syscall socket"},
      {helper("persona-no-aslr"), "forbidden syscall personality"},
      {helper("tiocsti"), "forbidden syscall ioctl"},
      // glibc's mknod is the mknodat syscall.
      {helper("mknod-device", (dir.path / "dev").string()), "forbidden syscall mknodat"},
      {helper("x32"), "forbidden syscall getpid (x32 ABI)"},
      {{"/usr/bin/python3", "-c", "import ctypes; ctypes.CDLL(None).syscall(101, 0, 0, 0, 0)"},
       "forbidden syscall ptrace"},
  };
  for (const Case& c : cases) {
    INFO(c.argv[1]);
    Outcome out = run_under(default_policy(), c.argv);
    CHECK_FALSE(out.timed_out);
    REQUIRE(out.violation);
    CHECK(violation_reason(*out.violation) == c.reason);
  }
  CHECK_FALSE(fs::exists(dir.path / "dev"));
}

TEST_CASE("a denied call returns EPERM to the program once answered", "[seccomp]") {
  Outcome out = run_under(default_policy(), helper("ptrace"), OnViolation::LetRun);
  REQUIRE(out.violation);
  CHECK(exited_with(out.status, EPERM));
}

TEST_CASE("ordinary programs run under the policy", "[seccomp]") {
  TempDir dir;
  std::vector<std::vector<std::string>> programs = {
      {"/bin/true"},
      helper("true"),
      helper("socket-unix"),                           // socket(AF_UNIX) and socketpair
      helper("threads"),                               // clone3 is ENOSYS, pthread_create works
      helper("persona-default"),                       // personality(PER_LINUX)
      helper("mkfifo", (dir.path / "fifo").string()),  // mknod of a fifo
      {"/usr/bin/python3", "-c",
       "import threading\nt = threading.Thread(target=sum, args=([1],))\nt.start()\nt.join()"},
  };
  for (const auto& argv : programs) {
    INFO(argv.back());
    Outcome out = run_under(default_policy(), argv);
    CHECK_FALSE(out.timed_out);
    CHECK_FALSE(out.violation);
    CHECK(exited_with(out.status, 0));
  }
}

TEST_CASE("int 0x80 (the i386 ABI) is denied", "[seccomp]") {
  // Whether this kernel has the int 0x80 entry at all (ia32 emulation).
  bool has_i386 = exited_with(run_unfiltered(helper("int80")), 0);
  Outcome out = run_under(default_policy(), helper("int80"));
  CHECK_FALSE(out.timed_out);
  if (has_i386) {
    REQUIRE(out.violation);
    CHECK(out.violation->arch == AUDIT_ARCH_I386);
    CHECK(violation_reason(*out.violation) == "forbidden syscall getpid (i386 ABI)");
  } else {
    WARN("this kernel has no int 0x80 entry: the CPU faults before seccomp sees the call");
    CHECK_FALSE(out.violation);
    CHECK(WTERMSIG(out.status) == SIGSEGV);
  }
}

TEST_CASE("Report::Kill ends the run with SIGSYS and no listener", "[seccomp]") {
  SeccompPolicy policy = build_policy({.report = SeccompOptions::Report::Kill});
  Program p(policy, helper("ptrace"));
  CHECK(p.install_result() == 0);
  CHECK(p.listener() < 0);
  Outcome out = supervise(p);
  CHECK_FALSE(out.violation);
  CHECK(WIFSIGNALED(out.status));
  CHECK(WTERMSIG(out.status) == SIGSYS);
  CHECK(exited_with(run_under(policy, helper("threads")).status, 0));
}

TEST_CASE("take_notification does not block when nothing is pending", "[seccomp]") {
  Program p(default_policy(), helper("true"));
  pollfd pfd{p.pidfd(), POLLIN, 0};
  REQUIRE(poll(&pfd, 1, 5000) == 1);
  CHECK_FALSE(take_notification(p.listener()));
  CHECK(exited_with(p.kill_and_reap(), 0));
}

TEST_CASE("syscall names", "[seccomp]") {
  CHECK(syscall_name(SYS_ptrace, AUDIT_ARCH_X86_64) == "ptrace");
  CHECK(syscall_name(99999, AUDIT_ARCH_X86_64) == "syscall 99999");
  CHECK(syscall_name(20, AUDIT_ARCH_I386) == "getpid");
  CHECK(syscall_display_name(20, AUDIT_ARCH_I386) == "getpid (i386 ABI)");
  CHECK(syscall_display_name(0x40000000 | SYS_getpid, AUDIT_ARCH_X86_64) == "getpid (x32 ABI)");
  CHECK(syscall_display_name(SYS_mount, AUDIT_ARCH_X86_64) == "mount");
  CHECK(violation_reason({.syscall_nr = -1}) == "forbidden syscall (unknown)");
}

#endif  // __x86_64__
