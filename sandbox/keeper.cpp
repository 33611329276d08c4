// Raw POSIX (clone, execve, wait4, mount): the keeper needs clone flags and
// namespaces that no process library exposes.
#include "sandbox/keeper.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "sandbox/errors.hpp"
#include "sandbox/memory_sampler.hpp"
#include "sandbox/mounts.hpp"
#include "sandbox/protocol.hpp"
#include "sandbox/seccomp_hook.hpp"
#include "sandbox/userns.hpp"

namespace pj::sandbox {
namespace {

using namespace protocol;

struct Config {
  int socket_fd = -1;
  bool isolate = false;
  bool user_namespace = false;   // isolated in a user namespace of our own (userns.hpp)
  HostView host;                 // user namespace: where shared work directories come from
  std::vector<int> cgroup_join;  // "0" written to each moves the writer in
  std::vector<std::string> readonly;
};

// What the program's clone child needs; it shares our memory until exec.
struct ChildContext {
  const RunRequest* req;
  int fds[kFdCount];
  char* argv[4096];
  char* envp[4096];
  const char* path;
  const char* box_path;  // box_by_path: the shared work directory on the host
  const Config* cfg;
  int setup_step;
  int setup_errno;
  int listener_fd;
};

alignas(16) char g_child_stack[256 << 10];
RunRequest g_request;
RunReply g_reply;
ChildContext g_ctx;

long long monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

[[noreturn]] void child_fail(ChildContext* c, int step) {
  c->setup_step = step;
  c->setup_errno = errno;
  _exit(127);
}

// The program's side, between clone and exec: async-signal-safe calls only
// (it runs on our memory), raw syscalls for ids (glibc's setuid would try to
// synchronise threads that are not ours).
int program_child(void* arg) {
  auto* c = static_cast<ChildContext*>(arg);
  const RunRequest& r = *c->req;
  if (dup2(c->fds[kFdStdin], 0) < 0 || dup2(c->fds[kFdStdout], 1) < 0 ||
      dup2(c->fds[kFdStderr], 2) < 0)
    child_fail(c, kStepFds);
  if (c->cfg->isolate ? chdir("/box") != 0 : fchdir(c->fds[kFdWorkdir]) != 0)
    child_fail(c, kStepChdir);
  for (int fd : c->cfg->cgroup_join)
    if (write(fd, "0", 1) != 1) child_fail(c, kStepCgroup);
  // After joining the cgroups (a v1 cpuset sets the affinity on attach):
  // the floor where no cpuset confines the run.
  if (r.cpu >= 0) {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(r.cpu, &one);
    if (sched_setaffinity(0, sizeof one, &one) != 0) child_fail(c, kStepAffinity);
  }
  if (!c->cfg->isolate && setpgid(0, 0) != 0) child_fail(c, kStepFds);
  if (int err = apply_rlimits(r.rlimits)) {
    errno = err;
    child_fail(c, kStepRlimits);
  }
  if (c->cfg->user_namespace) {
    if (int err = drop_ambient_capabilities()) {
      errno = err;
      child_fail(c, kStepIds);
    }
  }
  if (r.set_ids) {
    if (syscall(SYS_setgroups, 0, nullptr) != 0 ||
        syscall(SYS_setresgid, r.gid, r.gid, r.gid) != 0 ||
        syscall(SYS_setresuid, r.uid, r.uid, r.uid) != 0)
      child_fail(c, kStepIds);
  }
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) child_fail(c, kStepSeccomp);
  if (int err = install_program_filter(r.allow_exec, &c->listener_fd)) {
    errno = err;
    child_fail(c, kStepSeccomp);
  }
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  execve(c->path, c->argv, c->envp);
  child_fail(c, kStepExec);
}

// Kills every process of the run but us.
void kill_run(const Config& cfg, pid_t program) {
  if (cfg.isolate) {
    kill(-1, SIGKILL);  // pid 1 of our own namespace: everything but us
    return;
  }
  if (program > 0) kill(-program, SIGKILL);
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/task/%d/children", getpid(), getpid());
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  char buf[4096];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return;
  buf[n] = 0;
  for (char* p = buf; *p;) {
    char* end;
    long pid = strtol(p, &end, 10);
    if (end == p) break;
    kill(static_cast<pid_t>(-pid), SIGKILL);
    kill(static_cast<pid_t>(pid), SIGKILL);
    p = end;
  }
}

void add_usage(rusage& into, const rusage& r) {
  auto add = [](timeval& a, const timeval& b) {
    a.tv_sec += b.tv_sec;
    a.tv_usec += b.tv_usec;
    if (a.tv_usec >= 1000000) {
      a.tv_sec += 1;
      a.tv_usec -= 1000000;
    }
  };
  add(into.ru_utime, r.ru_utime);
  add(into.ru_stime, r.ru_stime);
  if (r.ru_maxrss > into.ru_maxrss) into.ru_maxrss = r.ru_maxrss;
}

void reap_everything(const Config& cfg, rusage& usage) {
  for (;;) {
    kill_run(cfg, -1);
    rusage ru{};
    pid_t pid = wait4(-1, nullptr, __WALL, &ru);
    if (pid > 0) {
      add_usage(usage, ru);
    } else if (errno != EINTR) {
      return;  // ECHILD: nothing left
    }
  }
}

// Splits the request's strings into path, argv and envp (pointers into it).
bool unpack_strings(RunRequest& r, ChildContext& c) {
  if (r.strings_size > kMaxStrings || r.argc == 0 || r.argc >= 4096 || r.envc >= 4096) return false;
  r.strings[kMaxStrings - 1] = 0;
  char* p = r.strings;
  char* end = r.strings + r.strings_size;
  auto next = [&]() -> char* {
    if (p >= end) return nullptr;
    char* s = p;
    p += strnlen(p, end - p) + 1;
    return s;
  };
  c.path = next();
  for (std::uint32_t i = 0; i < r.argc; ++i) c.argv[i] = next();
  c.argv[r.argc] = nullptr;
  for (std::uint32_t i = 0; i < r.envc; ++i) c.envp[i] = next();
  c.envp[r.envc] = nullptr;
  c.box_path = r.box_by_path ? next() : nullptr;
  if (!c.path || (r.box_by_path && !c.box_path)) return false;
  for (std::uint32_t i = 0; i < r.argc; ++i)
    if (!c.argv[i]) return false;
  for (std::uint32_t i = 0; i < r.envc; ++i)
    if (!c.envp[i]) return false;
  return true;
}

// Receives one message; returns its size (0: the judge is gone) and the fds.
ssize_t receive(int sock, void* buf, std::size_t size, int* fds, int& nfds) {
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kFdCount)];
  iovec iov{buf, size};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  nfds = 0;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      nfds = static_cast<int>((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
      memcpy(fds, CMSG_DATA(c), sizeof(int) * std::min(nfds, static_cast<int>(kFdCount)));
    }
  }
  return n;
}

// Keeps 0, 1 and 2 taken (by /dev/null) so that received fds never land there.
void park_stdio(int devnull) {
  for (int fd = 0; fd < 3; ++fd) dup2(devnull, fd);
}

// Waits for the program; meanwhile a kill request or a seccomp notification
// ends the run. Returns false if the judge went away.
// Without a memory cgroup, the run's resident memory is sampled every
// kMemorySampleMs and the run killed over `memory_limit` bytes.
bool supervise(const Config& cfg, pid_t program, int listener, std::uint64_t memory_limit) {
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, program, 0));
  bool judge_alive = true;
  bool sampling = memory_limit > 0;
  long long next_sample = monotonic_ns() + kMemorySampleMs * 1000000LL;
  for (;;) {
    pollfd fds[3] = {{pidfd, POLLIN, 0}, {cfg.socket_fd, POLLIN, 0}, {listener, POLLIN, 0}};
    int timeout = -1;
    if (sampling)
      timeout =
          static_cast<int>(std::max(0LL, (next_sample - monotonic_ns() + 999999) / 1000000LL));
    if (poll(fds, listener >= 0 ? 3 : 2, timeout) < 0 && errno != EINTR) break;
    if (fds[0].revents) break;
    if (sampling && monotonic_ns() >= next_sample) {
      std::uint64_t resident = run_resident_bytes(cfg.isolate);
      if (resident > g_reply.sampled_memory_peak) g_reply.sampled_memory_peak = resident;
      if (resident > memory_limit) {
        g_reply.memory_limit_hit = 1;
        sampling = false;
        kill_run(cfg, program);
      }
      next_sample = monotonic_ns() + kMemorySampleMs * 1000000LL;
    }
    if (fds[1].revents) {
      char b = 0;
      ssize_t n = recv(cfg.socket_fd, &b, 1, 0);
      if (n <= 0) judge_alive = false;
      kill_run(cfg, program);
      if (!judge_alive) break;
    }
    if (listener >= 0 && fds[2].revents) {
      if (fds[2].revents & (POLLHUP | POLLERR)) {
        listener = -1;
      } else if (auto v = take_violation(listener)) {
        g_reply.violation_nr = v->nr;
        g_reply.violation_arch = v->arch;
        kill_run(cfg, program);
      }
    }
  }
  if (pidfd >= 0) close(pidfd);
  return judge_alive;
}

bool run_one(const Config& cfg, int* fds, int nfds) {
  g_reply = RunReply{};
  ChildContext& c = g_ctx;
  c = ChildContext{};
  c.req = &g_request;
  c.cfg = &cfg;
  c.listener_fd = -1;
  for (int i = 0; i < kFdCount; ++i) c.fds[i] = i < nfds ? fds[i] : -1;
  if (nfds < kFdFiles || !unpack_strings(g_request, c)) {
    g_reply.setup_step = kStepFds;
    g_reply.setup_errno = EINVAL;
    return true;
  }
  int files = g_request.has_files ? c.fds[kFdFiles] : -1;
  int workdir = c.fds[kFdWorkdir];
  int err = 0, tree = -1;
  if (cfg.isolate && g_request.share_workdir && c.box_path) {
    // The received fd is the directory itself; what gets mounted is its copy.
    tree = clone_host_dir(cfg.host, c.box_path, workdir);
    if (tree < 0) err = -tree;
    workdir = tree;
  }
  if (!err)
    err = cfg.isolate ? mount_box(workdir, g_request.share_workdir, files, g_request.box_bytes,
                                  g_request.uid, g_request.gid,
                                  !cfg.user_namespace && geteuid() == 0 && g_request.set_ids &&
                                      g_request.uid != 0)
                      : (files >= 0 ? link_files(files, workdir) : 0);
  if (tree >= 0) close(tree);
  if (err) {
    g_reply.setup_step = cfg.isolate ? kStepBox : kStepFiles;
    g_reply.setup_errno = err;
    if (cfg.isolate) tidy_box();
    return true;
  }
  long long start = monotonic_ns();
  pid_t pid = clone(program_child, g_child_stack + sizeof g_child_stack,
                    CLONE_VM | CLONE_VFORK | CLONE_FILES | SIGCHLD, &c);
  // The child has exec'd (or failed): its 0/1/2 are its own now; drop ours.
  int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  park_stdio(devnull);
  close(devnull);
  bool judge_alive = true;
  if (pid < 0) {
    g_reply.setup_step = kStepClone;
    g_reply.setup_errno = errno;
  } else {
    if (c.setup_step == kStepNone) {
      g_reply.started = 1;
      judge_alive = supervise(cfg, pid, c.listener_fd, g_request.sample_memory_bytes);
    } else {
      g_reply.setup_step = c.setup_step;
      g_reply.setup_errno = c.setup_errno;
    }
    int status = 0;
    rusage ru{};
    while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
    }
    g_reply.end_ns = monotonic_ns();
    g_reply.wall_ns = g_reply.end_ns - start;
    g_reply.wait_status = status;
    g_reply.usage = ru;
    reap_everything(cfg, g_reply.usage);
  }
  if (c.listener_fd >= 0) close(c.listener_fd);
  if (cfg.isolate) tidy_box();
  return judge_alive;
}

Config parse_args(int argc, char** argv) {
  Config cfg;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        fprintf(stderr, "pipejudge-keeper: %s needs a value\n", a.c_str());
        exit(2);
      }
      return argv[++i];
    };
    if (a == "--socket") {
      cfg.socket_fd = std::atoi(value().c_str());
    } else if (a == "--isolate") {
      cfg.isolate = true;
    } else if (a == "--user-namespace") {
      cfg.user_namespace = true;
    } else if (a == "--cgroup-join") {
      cfg.cgroup_join.push_back(std::atoi(value().c_str()));
    } else if (a == "--readonly") {
      cfg.readonly.push_back(value());
    } else {
      fprintf(stderr, "pipejudge-keeper: unknown argument %s\n", a.c_str());
      exit(2);
    }
  }
  if (cfg.socket_fd < 0) {
    fprintf(stderr, "pipejudge-keeper: --socket is required\n");
    exit(2);
  }
  return cfg;
}

// Fails the start-up: the judge reads this line from the socket.
[[noreturn]] void startup_failed(int sock, const std::string& what, int err) {
  std::string msg = "E" + errno_text(what, err);
  send(sock, msg.data(), msg.size(), MSG_NOSIGNAL);
  _exit(3);
}

}  // namespace

int keeper_main(int argc, char** argv) {
  Config cfg = parse_args(argc, argv);
  // Ours only: the program must not inherit the socket or the cgroup files.
  fcntl(cfg.socket_fd, F_SETFD, FD_CLOEXEC);
  for (int fd : cfg.cgroup_join) fcntl(fd, F_SETFD, FD_CLOEXEC);
  signal(SIGPIPE, SIG_IGN);
  prctl(PR_SET_PDEATHSIG, SIGKILL);  // the judge's death ends the slot
  if (!cfg.isolate) prctl(PR_SET_CHILD_SUBREAPER, 1);
  if (cfg.user_namespace) {
    // A session of our own: a program has the judge's uid, and the judge's
    // process group would otherwise be its own (kill(0), setpriority).
    if (setsid() < 0) startup_failed(cfg.socket_fd, "leaving the judge's process group", errno);
    // Our memory is the slot's: a program of the same uid must not read it.
    prctl(PR_SET_DUMPABLE, 0);
    if (int err = keep_host_view(cfg.host))
      startup_failed(cfg.socket_fd, "keeping a view of the host's files", err);
  }
  if (cfg.isolate) {
    std::string step;
    if (int err = build_private_root(cfg.readonly, step)) startup_failed(cfg.socket_fd, step, err);
    sethostname("pipejudge", 9);
  }
  // The program's path is always the first string of the request buffer.
  if (int err = prepare_program_filter(g_request.strings))
    startup_failed(cfg.socket_fd, "building the seccomp filter", err);
  int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  park_stdio(devnull);
  close(devnull);
  send(cfg.socket_fd, "R", 1, MSG_NOSIGNAL);  // ready

  for (;;) {
    int fds[kFdCount];
    int nfds = 0;
    ssize_t n = receive(cfg.socket_fd, &g_request, sizeof g_request, fds, nfds);
    if (n <= 0) return 0;  // the judge closed the slot
    bool alive = true;
    if (n >= static_cast<ssize_t>(offsetof(RunRequest, strings)) && g_request.magic == kRunMagic &&
        static_cast<std::size_t>(n) == g_request.wire_size()) {
      alive = run_one(cfg, fds, nfds);
    } else if (n != 1) {  // a stray kill request (1 byte) between runs is harmless
      g_reply = RunReply{};
      g_reply.setup_step = kStepFds;
      g_reply.setup_errno = EPROTO;
    }
    for (int i = 0; i < nfds && i < kFdCount; ++i) close(fds[i]);
    if (!alive) return 0;
    if (n != 1 && send(cfg.socket_fd, &g_reply, sizeof g_reply, MSG_NOSIGNAL) < 0) return 0;
  }
}

}  // namespace pj::sandbox
