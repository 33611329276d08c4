// Raw POSIX (clone, vfork, execve, wait4): a process library exposes neither
// the clone flags nor the pid namespace this needs.
#include "sandbox/launch.hpp"

#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <system_error>

namespace pj::sandbox {
namespace {

enum SetupStep { kStepPgid = 1, kStepFds, kStepChdir, kStepRlimits, kStepIds, kStepExec };

// Keeper-side globals: the keeper is a copy of the parent, so these are its own.
volatile sig_atomic_t g_program_pid = 0;
volatile sig_atomic_t g_kill_requested = 0;
bool g_in_pid_namespace = false;

std::atomic<int> g_pidns_state{0};  // 0 unknown, 1 works, -1 unavailable

long long monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

// Kills every process of the run except the keeper itself.
void kill_run_from_keeper() {
  if (g_in_pid_namespace) {
    kill(-1, SIGKILL);  // in our own pid namespace: everything but us
  } else if (g_program_pid > 0) {
    kill(-g_program_pid, SIGKILL);
  }
}

void on_kill_request(int) {
  g_kill_requested = 1;
  kill_run_from_keeper();
}

void reset_signals_for_keeper() {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) sigaction(sig, &dfl, nullptr);  // EINVAL for some: fine
  struct sigaction req {};
  req.sa_handler = on_kill_request;
  sigfillset(&req.sa_mask);
  sigaction(SIGUSR1, &req, nullptr);
}

// Runs in the vforked child: async-signal-safe calls only, raw id syscalls
// (glibc's setuid would try to synchronise the parent's threads).
[[noreturn]] void fail_setup(KeeperReport* report, int step) {
  report->setup_errno = errno;
  report->setup_step = step;
  _exit(127);
}

[[noreturn]] void exec_program(const LaunchPlan& p, KeeperReport* report) {
  auto fail = [report](int step) { fail_setup(report, step); };
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  signal(SIGUSR1, SIG_DFL);
  if (setpgid(0, 0) != 0) fail(kStepPgid);
  if (chdir(p.workdir.c_str()) != 0) fail(kStepChdir);
  if (int err = apply_rlimits(p.rlimits)) {
    errno = err;
    fail(kStepRlimits);
  }
  if (p.set_ids) {
    if (syscall(SYS_setgroups, 0, nullptr) != 0 || syscall(SYS_setresgid, p.gid, p.gid, p.gid) != 0 ||
        syscall(SYS_setresuid, p.uid, p.uid, p.uid) != 0)
      fail(kStepIds);
  }
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  prctl(PR_SET_PDEATHSIG, SIGKILL);  // after the id change, which clears it
  execve(p.path.c_str(), p.argv.data(), p.envp.data());
  fail_setup(report, kStepExec);
}

// Without a pid namespace: the keeper is a subreaper, so orphans of the run
// become its children; kill them until none is left.
void kill_children_listed_in_proc() {
  char path[64];
  pid_t self = static_cast<pid_t>(syscall(SYS_getpid));
  snprintf(path, sizeof path, "/proc/%d/task/%d/children", self, self);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  char buf[4096];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return;
  buf[n] = 0;
  long pid = 0;
  for (char* c = buf; *c; ++c) {
    if (*c >= '0' && *c <= '9') {
      pid = pid * 10 + (*c - '0');
    } else if (pid > 0) {
      kill(static_cast<pid_t>(-pid), SIGKILL);
      kill(static_cast<pid_t>(pid), SIGKILL);
      pid = 0;
    }
  }
  if (pid > 0) kill(static_cast<pid_t>(pid), SIGKILL);
}

void add_usage(rusage& into, const rusage& r) {
  auto add_tv = [](timeval& a, const timeval& b) {
    a.tv_sec += b.tv_sec;
    a.tv_usec += b.tv_usec;
    if (a.tv_usec >= 1000000) {
      a.tv_sec += 1;
      a.tv_usec -= 1000000;
    }
  };
  add_tv(into.ru_utime, r.ru_utime);
  add_tv(into.ru_stime, r.ru_stime);
  if (r.ru_maxrss > into.ru_maxrss) into.ru_maxrss = r.ru_maxrss;
}

void reap_everything(KeeperReport* report) {
  for (;;) {
    if (!g_in_pid_namespace) kill_children_listed_in_proc();
    rusage ru{};
    pid_t pid = wait4(-1, nullptr, 0, &ru);
    if (pid > 0) {
      add_usage(report->usage, ru);
    } else if (errno != EINTR) {
      return;  // ECHILD: nothing left
    }
  }
}

[[noreturn]] void keeper_main(const LaunchPlan& p, KeeperReport* report) {
  g_in_pid_namespace = p.pid_namespace;
  reset_signals_for_keeper();
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (!p.pid_namespace) prctl(PR_SET_CHILD_SUBREAPER, 1);
  // The program's three fds become the keeper's 0/1/2; nothing else of the
  // parent's (pipe ends, sockets, the judge's files) survives.
  if (dup2(p.stdin_fd, 0) < 0 || dup2(p.stdout_fd, 1) < 0 || dup2(p.stderr_fd, 2) < 0) {
    report->setup_errno = errno;
    report->setup_step = kStepFds;
    _exit(127);
  }
  close_range(3, ~0U, 0);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);

  long long start = monotonic_ns();
  pid_t pid = vfork();
  if (pid == 0) exec_program(p, report);
  if (pid > 0) {
    g_program_pid = pid;
    if (g_kill_requested) kill_run_from_keeper();
    report->started = report->setup_step == 0;
    close(0);
    close(1);
    close(2);
    int status = 0;
    rusage ru{};
    while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
    }
    report->wall_ns = monotonic_ns() - start;
    report->wait_status = status;
    report->usage = ru;
    kill_run_from_keeper();
  } else {
    report->setup_errno = errno;
    report->setup_step = kStepExec;
  }
  reap_everything(report);
  report->finished = 1;
  _exit(0);
}

// fork-like clone: the child returns 0 on a copy of our stack.
pid_t clone_keeper(bool pid_namespace, int* pidfd) {
  unsigned long flags = CLONE_PIDFD | SIGCHLD;
  if (pid_namespace) flags |= CLONE_NEWPID;
  return static_cast<pid_t>(syscall(SYS_clone, flags, nullptr, pidfd, nullptr, nullptr));
}

}  // namespace

bool pid_namespaces_available() {
  int state = g_pidns_state.load();
  if (state == 0) {
    state = geteuid() == 0 ? 1 : -1;
    g_pidns_state.store(state);
  }
  return state > 0;
}

Keeper::Keeper(Keeper&& o) noexcept
    : pid_(std::exchange(o.pid_, -1)),
      pidfd_(std::move(o.pidfd_)),
      report_(std::exchange(o.report_, nullptr)),
      program_pid_(o.program_pid_),
      reaped_(std::exchange(o.reaped_, true)) {}

Keeper::~Keeper() {
  if (pid_ > 0 && !reaped_) {
    kill_hard();
    wait();
  }
  if (report_) munmap(report_, sizeof(KeeperReport));
}

Keeper Keeper::start(const LaunchPlan& plan) {
  Keeper k;
  void* page = mmap(nullptr, sizeof(KeeperReport), PROT_READ | PROT_WRITE,
                    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap");
  k.report_ = new (page) KeeperReport{};

  // Block every signal across the clone so that none of our handlers runs in
  // the keeper before it resets them.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  bool use_ns = plan.pid_namespace && pid_namespaces_available();
  int pidfd = -1;
  pid_t pid = clone_keeper(use_ns, &pidfd);
  if (pid < 0 && use_ns && (errno == EPERM || errno == EINVAL || errno == ENOSPC)) {
    g_pidns_state.store(-1);
    use_ns = false;
    pid = clone_keeper(false, &pidfd);
  }
  if (pid == 0) {
    LaunchPlan& p = const_cast<LaunchPlan&>(plan);
    p.pid_namespace = use_ns;
    keeper_main(p, k.report_);
  }
  int saved = errno;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0) throw std::system_error(saved, std::generic_category(), "clone");
  k.pid_ = pid;
  k.pidfd_.reset(pidfd);
  return k;
}

void Keeper::kill_run() {
  if (pid_ > 0 && !reaped_) kill(pid_, SIGUSR1);
}

void Keeper::kill_hard() {
  if (pid_ > 0 && !reaped_) kill(pid_, SIGKILL);
}

pid_t Keeper::program_pid() {
  if (program_pid_ > 0 || pid_ <= 0 || reaped_) return program_pid_;
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/task/%d/children", pid_, pid_);
  UniqueFd fd(open(path, O_RDONLY | O_CLOEXEC));
  if (!fd) return -1;
  char buf[64];
  ssize_t n = read(fd.get(), buf, sizeof buf - 1);
  if (n <= 0) return -1;
  buf[n] = 0;
  program_pid_ = static_cast<pid_t>(strtol(buf, nullptr, 10));
  return program_pid_ > 0 ? program_pid_ : -1;
}

const KeeperReport& Keeper::wait() {
  if (!reaped_) {
    siginfo_t info{};
    while (waitid(P_PIDFD, pidfd_.get(), &info, WEXITED) < 0 && errno == EINTR) {
    }
    reaped_ = true;
  }
  return *report_;
}

}  // namespace pj::sandbox
