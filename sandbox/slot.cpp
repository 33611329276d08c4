// Raw clone(2) with namespace flags to start the keeper: no process library
// exposes them.
#include "sandbox/slot.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "sandbox/errors.hpp"
#include "sandbox/mounts.hpp"
#include "sandbox/pipes.hpp"
#include "sandbox/seccomp_hook.hpp"
#include "sandbox/userns.hpp"
#include "sandbox/watchdog.hpp"

namespace fs = std::filesystem;

namespace pj::sandbox {
namespace {

using namespace protocol;

std::string find_in_path(const std::string& name, const std::vector<std::string>& env) {
  if (name.find('/') != std::string::npos) return name;
  std::string path = "/usr/local/bin:/usr/bin:/bin";
  for (const auto& e : env)
    if (e.rfind("PATH=", 0) == 0) path = e.substr(5);
  for (std::size_t start = 0; start <= path.size();) {
    std::size_t end = std::min(path.find(':', start), path.size());
    std::string candidate = path.substr(start, end - start) + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return {};
}

// CPU seconds of a process and its reaped children, from /proc; -1 if unknown.
double proc_cpu_seconds(pid_t pid) {
  if (pid <= 0) return -1;
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  UniqueFd fd(open(path, O_RDONLY | O_CLOEXEC));
  ssize_t n = fd ? read(fd.get(), buf, sizeof buf - 1) : -1;
  if (n <= 0) return -1;
  buf[n] = 0;
  const char* p = strrchr(buf, ')');  // the command name may hold spaces
  if (!p) return -1;
  // After ")": field 3 (state) ... utime(14) stime(15) cutime(16) cstime(17).
  unsigned long long sum = 0;
  int field = 2;
  for (const char* c = p + 1; *c && field < 17; ++c) {
    if (*c == ' ' && ++field >= 14) sum += strtoull(c + 1, nullptr, 10);
  }
  static const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  return static_cast<double>(sum) / ticks;
}

pid_t first_child_of(pid_t pid) {
  char path[64], buf[64];
  snprintf(path, sizeof path, "/proc/%d/task/%d/children", pid, pid);
  UniqueFd fd(open(path, O_RDONLY | O_CLOEXEC));
  ssize_t n = fd ? read(fd.get(), buf, sizeof buf - 1) : -1;
  if (n <= 0) return -1;
  buf[n] = 0;
  return static_cast<pid_t>(strtol(buf, nullptr, 10));
}

double seconds(const timeval& tv) {
  return tv.tv_sec + tv.tv_usec / 1e6;
}

bool wait_readable(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  int n;
  do {
    n = poll(&p, 1, timeout_ms);
  } while (n < 0 && errno == EINTR);
  return n > 0;
}

}  // namespace

std::string keeper_path() {
  if (const char* env = std::getenv("PIPEJUDGE_KEEPER")) return env;
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path next = self.parent_path() / "pipejudge-keeper";
    if (access(next.c_str(), X_OK) == 0) return next;
  }
  return PIPEJUDGE_KEEPER_BUILD_PATH;
}

// The watchdog's view of the run in progress.
class Slot::Control : public RunControl {
 public:
  explicit Control(Slot& s) : slot_(s) {}
  int done_fd() const override { return slot_.socket_.get(); }
  void request_kill() override {
    send(slot_.socket_.get(), &kKill, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
  }
  void force_kill() override { kill(slot_.pid_, SIGKILL); }
  double cpu_seconds_now() override {
    if (slot_.cgroup_) return slot_.cgroup_->usage().cpu_seconds;
    if (program_ <= 0) program_ = first_child_of(slot_.pid_);
    return proc_cpu_seconds(program_);
  }

 private:
  Slot& slot_;
  pid_t program_ = -1;
};

std::unique_ptr<Slot> Slot::start(const SlotConfig& config, const CgroupSupport& cgroups) {
  std::unique_ptr<Slot> s(new Slot);
  s->request_ = std::make_unique<RunRequest>();
  s->isolated_ = config.isolate;
  s->user_namespace_ = config.isolate && config.user_namespace;
  if (config.use_cgroups && cgroups.version != CgroupVersion::None) {
    s->cgroup_ = SlotCgroup::create(cgroups, slot_cgroup_name(config.index));
    s->cgroup_memory_ = cgroups.memory;
    s->cgroup_version_ = cgroups.version;
  }
  std::vector<UniqueFd> joins;
  if (s->cgroup_) {
    for (const auto& path : s->cgroup_->self_join_paths()) {
      joins.emplace_back(open(path.c_str(), O_WRONLY | O_CLOEXEC));
      if (!joins.back()) throw std::runtime_error(errno_text("cannot open " + path));
    }
  }
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
    throw std::runtime_error(errno_text("socketpair"));
  UniqueFd mine(sv[0]), theirs(sv[1]);

  // The keeper's argv, prepared here: between clone and exec nothing allocates.
  std::vector<std::string> args = {keeper_path(), "--socket", "3"};
  if (config.isolate) args.push_back("--isolate");
  if (s->user_namespace_) args.push_back("--user-namespace");
  for (std::size_t i = 0; i < joins.size(); ++i) {
    args.push_back("--cgroup-join");
    args.push_back(std::to_string(4 + i));
  }
  for (const auto& p :
       config.readonly_paths.empty() ? default_readonly_paths() : config.readonly_paths) {
    args.push_back("--readonly");
    args.push_back(p);
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<int> inherit = {theirs.get()};
  for (auto& p : joins) inherit.push_back(p.get());
  if (inherit.size() > 16) throw std::runtime_error("too many cgroup hierarchies");
  char* envp[] = {nullptr};

  unsigned long flags = CLONE_PIDFD | SIGCHLD;
  if (config.isolate)
    flags |= CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS;
  if (s->user_namespace_) flags |= CLONE_NEWUSER;
  const UserNamespacePlan userns = s->user_namespace_ ? plan_user_namespace() : UserNamespacePlan{};
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int pidfd = -1;
  pid_t pid = static_cast<pid_t>(syscall(SYS_clone, flags, nullptr, &pidfd, nullptr, nullptr));
  if (pid == 0) {
    // fork-like child: async-signal-safe calls only, then exec the keeper.
    // Out of the way first, so that no dup2 below overwrites a source.
    int moved[16];
    for (std::size_t i = 0; i < inherit.size(); ++i)
      moved[i] = fcntl(inherit[i], F_DUPFD_CLOEXEC, 100);
    for (std::size_t i = 0; i < inherit.size(); ++i)
      if (moved[i] < 0 || dup2(moved[i], 3 + static_cast<int>(i)) < 0) _exit(126);
    close_range(3 + inherit.size(), ~0U, 0);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig) sigaction(sig, &dfl, nullptr);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    if (flags & CLONE_NEWUSER) {
      const char* step = "";
      if (int err = enter_user_namespace(userns, &step)) {
        // The judge reads "E<why>" from the socket (now fd 3), as from the keeper.
        char msg[160];
        int n = snprintf(msg, sizeof msg, "E%s: errno %d", step, err);
        if (n > 0) send(3, msg, std::min<std::size_t>(n, sizeof msg - 1), MSG_NOSIGNAL);
        _exit(126);
      }
    }
    execve(argv[0], argv.data(), envp);
    _exit(127);
  }
  int clone_errno = errno;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0)
    throw std::runtime_error(
        errno_text("cannot create the slot's namespaces (clone)", clone_errno));
  s->pid_ = pid;
  s->pidfd_.reset(pidfd);
  s->socket_ = std::move(mine);
  theirs.reset();

  char hello[512] = {};
  if (!wait_readable(s->socket_.get(), 10000))
    throw std::runtime_error("the sandbox keeper did not start");
  ssize_t n = recv(s->socket_.get(), hello, sizeof hello - 1, 0);
  if (n == 1 && hello[0] == 'R') {
    s->alive_ = true;
    return s;
  }
  if (n > 1 && hello[0] == 'E')
    throw std::runtime_error(std::string("sandbox keeper: ") + (hello + 1));
  throw std::runtime_error("the sandbox keeper (" + args[0] + ") exited at start");
}

Slot::~Slot() {
  socket_.reset();  // the keeper exits when its socket closes
  if (pid_ > 0) {
    if (!wait_readable(pidfd_.get(), 1000)) kill(pid_, SIGKILL);
    siginfo_t info{};
    while (waitid(P_PIDFD, pidfd_.get(), &info, WEXITED) < 0 && errno == EINTR) {
    }
  }
}

void Slot::send_request(const Spec& spec, const std::string& path, int in, int out, int err,
                        int workdir, int files, const std::string& box_path) {
  RunRequest& r = *request_;
  r.magic = kRunMagic;
  r.argc = static_cast<std::uint32_t>(spec.argv.size());
  r.envc = static_cast<std::uint32_t>(spec.env.size());
  std::size_t used = 0;
  auto put = [&](const std::string& s) {
    if (used + s.size() + 1 > kMaxStrings)
      throw std::runtime_error("command line and environment too long");
    memcpy(r.strings + used, s.c_str(), s.size() + 1);
    used += s.size() + 1;
  };
  put(path);
  for (const auto& a : spec.argv) put(a);
  bool has_home = false;
  for (const auto& e : spec.env) {
    put(e);
    has_home = has_home || e.rfind("HOME=", 0) == 0;
  }
  if (!has_home) {  // the program's home is its work directory
    put(isolated_ ? std::string("HOME=/box") : "HOME=" + spec.workdir);
    ++r.envc;
  }
  r.box_by_path = !box_path.empty();
  if (r.box_by_path) put(box_path);
  r.strings_size = static_cast<std::uint32_t>(used);
  // A run uid of its own counts only the run's processes; in a user
  // namespace of the slot's own, the run's and the keeper's.
  int nproc_others = spec.uid ? 0 : user_namespace_ ? 1 : -1;
  bool memory_by_cgroup = cgroup_ != nullptr && cgroup_memory_;
  r.rlimits = plan_rlimits(spec.limits, nproc_others);
  r.sample_memory_bytes = memory_by_cgroup ? 0 : spec.limits.memory_bytes;
  r.set_ids = spec.uid || spec.gid;
  r.uid = spec.uid.value_or(getuid());
  r.gid = spec.gid.value_or(getgid());
  r.share_workdir = spec.share_workdir;
  r.has_files = files >= 0;
  r.allow_exec = spec.allow_exec;
  r.box_bytes = spec.limits.box_bytes;
  r.cpu = spec.cpu;

  int fds[kFdCount] = {in, out, err, workdir, files >= 0 ? files : workdir};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof fds)] = {};
  iovec iov{&r, r.wire_size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof fds);
  memcpy(CMSG_DATA(c), fds, sizeof fds);
  ssize_t n;
  do {
    n = sendmsg(socket_.get(), &msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    alive_ = false;
    throw std::runtime_error(errno_text("sandbox keeper is gone"));
  }
}

bool Slot::receive_reply(RunReply& reply) {
  // Skip anything that is not a reply (nothing else is sent, but be strict).
  for (;;) {
    ssize_t n = recv(socket_.get(), &reply, sizeof reply, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n == static_cast<ssize_t>(sizeof reply)) return true;
    alive_ = false;
    return false;
  }
}

void Slot::fill_result(const Spec& spec, const RunReply& reply, const std::string& path,
                       Result& r) {
  if (!reply.started) {
    r.error = errno_text(std::string(setup_step_name(reply.setup_step)) + " failed for " + path,
                         reply.setup_errno);
    return;
  }
  r.cpu_seconds = seconds(reply.usage.ru_utime) + seconds(reply.usage.ru_stime);
  r.wall_seconds = reply.wall_ns / 1e9;
  // The watchdog's clock starts when the request is sent, the keeper's just
  // before its clone: a run stopped at the wall limit has lived that limit
  // by the clock that stopped it, and says so (not a few ms less).
  if (r.limit == LimitHit::Wall)
    r.wall_seconds = std::max(r.wall_seconds, spec.limits.effective_wall_seconds());
  r.end_ns = reply.end_ns;
  r.memory_bytes = static_cast<std::uint64_t>(reply.usage.ru_maxrss) * 1024;
  if (WIFEXITED(reply.wait_status)) {
    r.exit_code = WEXITSTATUS(reply.wait_status);
  } else if (WIFSIGNALED(reply.wait_status)) {
    r.signal = WTERMSIG(reply.wait_status);
  }
  r.memory_bytes = std::max<std::uint64_t>(r.memory_bytes, reply.sampled_memory_peak);
  if (reply.memory_limit_hit && r.limit == LimitHit::None) {
    r.limit = LimitHit::Memory;
    r.killed_by_sandbox = true;
  }
  if (reply.violation_nr >= 0)
    r.forbidden_syscall = forbidden_syscall_name(reply.violation_nr, reply.violation_arch);
  SlotCgroup::Usage cg;
  if (cgroup_) {
    cg = cgroup_->usage();
    r.cpu_seconds = std::max(r.cpu_seconds, cg.cpu_seconds);
    // Resident memory as users know it (rusage), or the cgroup's charge
    // (tmpfs files, page cache, every process) if that is larger.
    r.memory_bytes = std::max(r.memory_bytes, cg.memory_peak);
  }
  const Limits& lim = spec.limits;
  bool clean_exit = r.exit_code == 0;
  // An OOM kill explains whatever followed (a parent waiting forever for a
  // killed child runs into the wall limit): memory wins over time.
  if (cg.oom_killed && r.limit != LimitHit::Output) {
    r.limit = LimitHit::Memory;
    return;
  }
  if (r.limit != LimitHit::None || !r.forbidden_syscall.empty()) return;
  if (lim.cpu_seconds > 0 && r.cpu_seconds > lim.cpu_seconds) {
    r.limit = LimitHit::Cpu;
  } else if (!(cgroup_ && cgroup_memory_) && lim.memory_bytes > 0 &&
             r.memory_bytes > lim.memory_bytes) {
    r.limit = LimitHit::Memory;
  } else if (cg.pids_limited && !clean_exit) {
    r.limit = LimitHit::Processes;
  }
}

Result Slot::run(const Spec& spec, SlotLink link) {
  Result result;
  if (spec.cpu < -1 || spec.cpu >= CPU_SETSIZE) {
    result.error = "no such CPU: " + std::to_string(spec.cpu);
    return result;
  }
  std::string path = find_in_path(spec.argv[0], spec.env);
  if (path.empty()) {
    result.error = "command not found: " + spec.argv[0];
    return result;
  }
  try {
    // A linked stream is the peer's pipe end, handed over as it is: no pump.
    const bool in_linked = static_cast<bool>(link.in), out_linked = static_cast<bool>(link.out);
    Pipe in = in_linked ? Pipe{std::move(link.in), {}} : make_pipe();
    Pipe out = out_linked ? Pipe{{}, std::move(link.out)} : make_pipe();
    const bool err_joined = spec.stderr_to_stdout && !out_linked;
    Pipe err = err_joined ? Pipe{} : make_pipe();
    static const Input kNoInput;  // the pump keeps a pointer to the input: no temporary
    InputPump in_pump(in_linked ? kNoInput : spec.stdin_from, std::move(in.write));
    OutputPump out_pump(out_linked ? Output::discard() : spec.stdout_to, std::move(out.read),
                        &result.stdout_data);
    OutputPump err_pump(spec.stderr_to, std::move(err.read), &result.stderr_data);
    const char* dir = spec.workdir.empty() ? "." : spec.workdir.c_str();
    // Isolated, a shared work directory is mounted at /box: as root the judge
    // hands the keeper a detached copy of it; in a user namespace the judge may
    // not make one, and names it by its path for the keeper (the directory
    // itself goes along, to be checked against what the path finds).
    const bool box_by_path = isolated_ && spec.share_workdir && user_namespace_;
    UniqueFd workdir(isolated_ && spec.share_workdir && !box_by_path
                         ? open_tree_for_box(dir)
                         : open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!workdir)
      throw std::runtime_error(errno_text("cannot open work directory " + spec.workdir));
    std::string box_path;
    if (box_by_path) {
      std::error_code ec;
      box_path = fs::canonical(dir, ec).string();
      if (ec) throw std::runtime_error("cannot resolve work directory " + spec.workdir);
    }
    UniqueFd files;
    if (!spec.files_dir.empty()) {
      files.reset(open(spec.files_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (!files) throw std::runtime_error(errno_text("cannot open " + spec.files_dir));
    }
    if (cgroup_) {
      std::uint64_t mem = spec.limits.memory_bytes;
      int pids = spec.limits.processes;
      if (mem != cg_memory_ || pids != cg_pids_) {
        cgroup_->set_limits(mem, pids);
        cg_memory_ = mem;
        cg_pids_ = pids;
      }
      if (spec.cpu != cg_cpu_ && cgroup_->has_cpuset()) {
        cgroup_->set_cpu(spec.cpu);
        cg_cpu_ = spec.cpu;
      }
      cgroup_->reset();
    }
    send_request(spec, path, in.read.get(), out.write.get(),
                 err_joined ? out.write.get() : err.write.get(), workdir.get(), files.get(),
                 box_path);
    in.read.reset();
    out.write.reset();
    err.write.reset();
    in_pump.pump();
    Control control(*this);
    watch_run(spec.limits, control, in_pump, out_pump, err_pump, result, link.stop_fd);
    out_pump.finish();
    err_pump.finish();
    RunReply reply;
    if (!receive_reply(reply)) {
      // Killed by us after a limit (the run would not die in time): the
      // limit is the answer. Otherwise the keeper failed: our fault.
      if (!result.killed_by_sandbox) result.error = "the sandbox keeper died during the run";
      return result;
    }
    if (cgroup_ && !isolated_) cgroup_->kill_all();
    fill_result(spec, reply, path, result);
    result.isolated = isolated_;
  } catch (const std::exception& e) {
    result.error = e.what();
  }
  return result;
}

}  // namespace pj::sandbox
