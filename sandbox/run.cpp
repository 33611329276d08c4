// sandbox::run: start the keeper, pump the three pipes, watch the clocks.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <system_error>

#include "sandbox/launch.hpp"
#include "sandbox/sandbox.hpp"

namespace pj::sandbox {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kChunk = 64 << 10;

struct Pipe {
  UniqueFd read, write;
};

Pipe make_pipe() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

void set_nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

std::string find_in_path(const std::string& name, const std::vector<std::string>& env) {
  if (name.find('/') != std::string::npos) return name;
  std::string path = "/usr/local/bin:/usr/bin:/bin";
  for (const auto& e : env)
    if (e.rfind("PATH=", 0) == 0) path = e.substr(5);
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string candidate = path.substr(start, end - start) + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return {};
}

// Feeds stdin from a file (zero-copy with splice) or from memory.
class InputPump {
 public:
  InputPump(const Input& in, UniqueFd pipe_end) : pipe_(std::move(pipe_end)) {
    if (in.kind == Input::Kind::File) {
      file_.reset(open(in.value.c_str(), O_RDONLY | O_CLOEXEC));
      if (!file_) throw std::system_error(errno, std::generic_category(), "cannot open " + in.value);
    } else if (in.kind == Input::Kind::Data) {
      data_ = &in.value;
    }
    if (in.kind == Input::Kind::Null) pipe_.reset();  // immediate EOF
    if (pipe_) set_nonblocking(pipe_.get());
  }

  int fd() const { return pipe_.get(); }

  // Moves as much as the pipe takes; closes it at the end or on EPIPE.
  void pump() {
    while (pipe_) {
      ssize_t n;
      if (file_) {
        n = splice(file_.get(), nullptr, pipe_.get(), nullptr, kChunk, SPLICE_F_NONBLOCK);
        if (n < 0 && errno == EINVAL) n = copy_through_buffer();
      } else {
        std::size_t left = data_->size() - offset_;
        n = left == 0 ? 0 : write(pipe_.get(), data_->data() + offset_, std::min(left, kChunk));
        if (n > 0) offset_ += n;
      }
      if (n == 0) return pipe_.reset();
      if (n < 0) {
        if (errno == EAGAIN) return;
        if (errno == EINTR) continue;
        return pipe_.reset();  // EPIPE: the program closed its stdin
      }
    }
  }

  void close() { pipe_.reset(); }

 private:
  ssize_t copy_through_buffer() {
    char buf[kChunk];
    ssize_t n = pread(file_.get(), buf, sizeof buf, offset_);
    if (n <= 0) return n;
    ssize_t w = write(pipe_.get(), buf, n);
    if (w > 0) offset_ += w;
    return w;
  }

  UniqueFd pipe_, file_;
  const std::string* data_ = nullptr;
  off_t offset_ = 0;
};

// Drains one output pipe into a file, memory, or nowhere; counts every byte.
class OutputPump {
 public:
  OutputPump(const Output& out, UniqueFd pipe_end, std::string* keep)
      : pipe_(std::move(pipe_end)), keep_(keep), keep_limit_(out.keep_bytes) {
    if (out.kind == Output::Kind::File) {
      file_.reset(open(out.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
      if (!file_)
        throw std::system_error(errno, std::generic_category(), "cannot create " + out.path);
    }
    if (out.kind != Output::Kind::Capture) keep_ = nullptr;
    set_nonblocking(pipe_.get());
  }

  int fd() const { return pipe_.get(); }

  // Reads what is there, at most `budget` bytes; returns bytes read.
  // Closes the pipe on EOF.
  std::uint64_t drain(std::uint64_t budget) {
    std::uint64_t total = 0;
    while (pipe_ && budget > 0) {
      std::size_t want = std::min<std::uint64_t>(kChunk, budget);
      ssize_t n = file_ ? splice(pipe_.get(), nullptr, file_.get(), nullptr, want, SPLICE_F_NONBLOCK)
                        : read_to_memory(want);
      if (n == 0) {
        pipe_.reset();
      } else if (n < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN) pipe_.reset();
        break;
      } else {
        total += n;
        budget -= n;
      }
    }
    return total;
  }

  void close() { pipe_.reset(); }

 private:
  ssize_t read_to_memory(std::size_t want) {
    char buf[kChunk];
    ssize_t n = read(pipe_.get(), buf, want);
    if (n > 0 && keep_ && keep_->size() < keep_limit_)
      keep_->append(buf, std::min<std::size_t>(n, keep_limit_ - keep_->size()));
    return n;
  }

  UniqueFd pipe_, file_;
  std::string* keep_;
  std::uint64_t keep_limit_;
};

// CPU seconds the program has used so far (all its threads and reaped
// children), from /proc; -1 if unknown.
double sample_cpu_seconds(pid_t pid) {
  if (pid <= 0) return -1;
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  UniqueFd fd(open(path, O_RDONLY | O_CLOEXEC));
  if (!fd) return -1;
  char buf[1024];
  ssize_t n = read(fd.get(), buf, sizeof buf - 1);
  if (n <= 0) return -1;
  buf[n] = 0;
  const char* p = strrchr(buf, ')');  // the command name may hold spaces
  if (!p) return -1;
  // Fields after ")": state(3) ... utime(14) stime(15) cutime(16) cstime(17).
  unsigned long long v[15] = {};
  int field = 2;
  for (const char* c = p + 1; *c && field < 17; ++c) {
    if (*c == ' ') {
      ++field;
      if (field >= 14) v[field - 14] = strtoull(c + 1, nullptr, 10);
    }
  }
  static const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  return static_cast<double>(v[0] + v[1] + v[2] + v[3]) / ticks;
}

double seconds(const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; }

std::string setup_error_text(const KeeperReport& r, const std::string& path) {
  static const char* steps[] = {"",          "setpgid",      "redirecting stdio", "chdir",
                                "setrlimit", "changing uid", "exec"};
  std::string step = r.setup_step > 0 && r.setup_step < 7 ? steps[r.setup_step] : "setup";
  return step + " failed for " + path + ": " + std::strerror(r.setup_errno);
}

void ignore_sigpipe_once() {
  static const bool done = [] {
    signal(SIGPIPE, SIG_IGN);
    return true;
  }();
  (void)done;
}

LaunchPlan make_plan(const Spec& spec, std::string path) {
  LaunchPlan plan;
  plan.path = std::move(path);
  plan.argv_storage = spec.argv;
  plan.env_storage = spec.env;
  for (auto& a : plan.argv_storage) plan.argv.push_back(a.data());
  plan.argv.push_back(nullptr);
  for (auto& e : plan.env_storage) plan.envp.push_back(e.data());
  plan.envp.push_back(nullptr);
  plan.workdir = spec.workdir;
  if (spec.uid || spec.gid) {
    plan.set_ids = true;
    plan.uid = spec.uid.value_or(getuid());
    plan.gid = spec.gid.value_or(getgid());
  }
  plan.rlimits = plan_rlimits(spec.limits, spec.uid.has_value());
  plan.pid_namespace = true;
  return plan;
}

class Supervisor {
 public:
  Supervisor(const Spec& spec, Keeper& keeper, InputPump& in, OutputPump& out, OutputPump& err,
             Result& result)
      : spec_(spec), keeper_(keeper), in_(in), out_(out), err_(err), result_(result) {}

  void loop() {
    const Limits& lim = spec_.limits;
    double wall_limit = lim.effective_wall_seconds();
    auto start = Clock::now();
    auto next_cpu_check = start + to_duration(lim.cpu_seconds / ncpus());
    kill_deadline_ = Clock::time_point::max();
    for (;;) {
      pollfd fds[4] = {{keeper_.pidfd(), POLLIN, 0},
                       {out_.fd(), POLLIN, 0},
                       {err_.fd(), POLLIN, 0},
                       {in_.fd(), POLLOUT, 0}};
      auto now = Clock::now();
      auto wake = kill_deadline_;
      if (!killing_) {
        if (wall_limit > 0) wake = std::min(wake, start + to_duration(wall_limit));
        if (lim.cpu_seconds > 0) wake = std::min(wake, next_cpu_check);
      }
      timespec ts{};
      timespec* timeout = nullptr;
      if (wake != Clock::time_point::max()) {
        auto ns = std::max<long long>(
            0, std::chrono::duration_cast<std::chrono::nanoseconds>(wake - now).count());
        ts = {static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
        timeout = &ts;
      }
      int n = ppoll(fds, 4, timeout, nullptr);
      if (n < 0 && errno != EINTR) throw std::system_error(errno, std::generic_category(), "ppoll");
      if (fds[3].revents) in_.pump();
      if (fds[1].revents) drain(out_);
      if (fds[2].revents) drain(err_);
      if (fds[0].revents) return;  // the keeper is gone: so is every process of the run

      now = Clock::now();
      if (killing_) {
        if (now >= kill_deadline_) keeper_.kill_hard();
        continue;
      }
      if (wall_limit > 0 && now - start >= to_duration(wall_limit)) {
        stop(LimitHit::Wall);
      } else if (lim.cpu_seconds > 0 && now >= next_cpu_check) {
        double used = sample_cpu_seconds(keeper_.program_pid());
        if (used >= lim.cpu_seconds) {
          stop(LimitHit::Cpu);
        } else {
          // CPU time grows at most ncpus seconds per wall second: no need to
          // look again before the rest could have been used.
          double rest = lim.cpu_seconds - std::max(0.0, used);
          next_cpu_check = now + to_duration(std::max(0.002, rest / ncpus()));
        }
      }
    }
  }

  // After the keeper exited: everything that wrote is dead, read to EOF.
  void drain_rest() {
    if (killing_ && result_.limit == LimitHit::Output) return;
    while (out_.fd() >= 0 || err_.fd() >= 0) {
      bool progressed = drain(out_) + drain(err_) > 0;
      if (killing_ && result_.limit == LimitHit::Output) break;
      if (!progressed && (out_.fd() >= 0 || err_.fd() >= 0)) {
        pollfd fds[2] = {{out_.fd(), POLLIN, 0}, {err_.fd(), POLLIN, 0}};
        if (poll(fds, 2, 1000) == 0) break;  // a writer we cannot see: give up
      }
    }
  }

 private:
  static double ncpus() {
    static const double n = std::max(1L, sysconf(_SC_NPROCESSORS_ONLN));
    return n;
  }
  static Clock::duration to_duration(double s) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
  }

  std::uint64_t drain(OutputPump& pump) {
    if (pump.fd() < 0) return 0;
    std::uint64_t limit = spec_.limits.output_bytes;
    // Read at most one byte past the limit: exactly at the limit is fine.
    std::uint64_t budget =
        limit == 0 ? UINT64_MAX : (limit + 1 > result_.output_bytes ? limit + 1 - result_.output_bytes : 0);
    std::uint64_t got = pump.drain(budget);
    result_.output_bytes += got;
    if (limit > 0 && result_.output_bytes > limit) {
      result_.output_bytes = limit + 1;
      out_.close();
      err_.close();
      if (!killing_) stop(LimitHit::Output);
    }
    return got;
  }

  void stop(LimitHit why) {
    result_.limit = why;
    result_.killed_by_sandbox = true;
    killing_ = true;
    in_.close();
    keeper_.kill_run();
    kill_deadline_ = Clock::now() + std::chrono::seconds(1);
  }

  const Spec& spec_;
  Keeper& keeper_;
  InputPump& in_;
  OutputPump &out_, &err_;
  Result& result_;
  bool killing_ = false;
  Clock::time_point kill_deadline_;
};

void fill_from_report(const KeeperReport& report, const Spec& spec, const std::string& path,
                      Result& r) {
  if (!report.finished && !report.started) {
    r.error = "sandbox keeper died before the program started";
    return;
  }
  if (!report.started) {
    r.error = setup_error_text(report, path);
    return;
  }
  r.cpu_seconds = seconds(report.usage.ru_utime) + seconds(report.usage.ru_stime);
  r.wall_seconds = report.wall_ns / 1e9;
  r.memory_bytes = static_cast<std::uint64_t>(report.usage.ru_maxrss) * 1024;
  if (WIFEXITED(report.wait_status)) {
    r.exit_code = WEXITSTATUS(report.wait_status);
  } else if (WIFSIGNALED(report.wait_status)) {
    r.signal = WTERMSIG(report.wait_status);
  }
  const Limits& lim = spec.limits;
  if (r.limit == LimitHit::None) {
    // Limits the program reached without the watchdog: by its own rusage.
    if (lim.cpu_seconds > 0 && r.cpu_seconds > lim.cpu_seconds) {
      r.limit = LimitHit::Cpu;
    } else if (lim.memory_bytes > 0 && r.memory_bytes > lim.memory_bytes) {
      r.limit = LimitHit::Memory;
    }
  }
  if (!report.finished) r.error = "sandbox keeper died";
}

}  // namespace

Result run(const Spec& spec) {
  Result result;
  if (spec.argv.empty()) {
    result.error = "empty command";
    return result;
  }
  ignore_sigpipe_once();
  std::string path = find_in_path(spec.argv[0], spec.env);
  if (path.empty()) {
    result.error = "command not found: " + spec.argv[0];
    return result;
  }
  try {
    Pipe in = make_pipe(), out = make_pipe(), err = make_pipe();
    InputPump in_pump(spec.stdin_from, std::move(in.write));
    OutputPump out_pump(spec.stdout_to, std::move(out.read), &result.stdout_data);
    OutputPump err_pump(spec.stderr_to, std::move(err.read), &result.stderr_data);
    LaunchPlan plan = make_plan(spec, path);
    plan.stdin_fd = in.read.get();
    plan.stdout_fd = out.write.get();
    plan.stderr_fd = err.write.get();

    auto started = Clock::now();
    Keeper keeper = Keeper::start(plan);
    in.read.reset();
    out.write.reset();
    err.write.reset();
    in_pump.pump();

    Supervisor supervisor(spec, keeper, in_pump, out_pump, err_pump, result);
    supervisor.loop();
    const KeeperReport& report = keeper.wait();
    supervisor.drain_rest();
    fill_from_report(report, spec, path, result);
    if (result.wall_seconds == 0)
      result.wall_seconds = std::chrono::duration<double>(Clock::now() - started).count();
  } catch (const std::system_error& e) {
    result.error = e.what();
  }
  return result;
}

}  // namespace pj::sandbox
