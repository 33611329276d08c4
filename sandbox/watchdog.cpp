#include "sandbox/watchdog.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <system_error>

namespace pj::sandbox {
namespace {

using Clock = std::chrono::steady_clock;

Clock::duration to_duration(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

double ncpus() {
  static const double n = static_cast<double>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
  return n;
}

class Watchdog {
 public:
  Watchdog(const Limits& lim, RunControl& run, InputPump& in, OutputPump& out, OutputPump& err,
           Result& r, int stop_fd)
      : lim_(lim), run_(run), in_(in), out_(out), err_(err), result_(r), stop_fd_(stop_fd) {}

  void loop() {
    const double wall_limit = lim_.effective_wall_seconds();
    const auto start = Clock::now();
    const auto wall_deadline =
        wall_limit > 0 ? start + to_duration(wall_limit) : Clock::time_point::max();
    // CPU time grows at most ncpus seconds per wall second: no sample is
    // needed before the budget could at the earliest be spent.
    // The run is killed at its limit plus the grace (Limits::cpu_grace_seconds).
    const double cpu_kill = lim_.cpu_seconds + std::max(0.0, lim_.cpu_grace_seconds);
    auto next_cpu_check =
        lim_.cpu_seconds > 0 ? start + to_duration(cpu_kill / ncpus()) : Clock::time_point::max();
    for (;;) {
      auto wake = killing_ ? kill_deadline_ : std::min(wall_deadline, next_cpu_check);
      pollfd fds[5] = {{run_.done_fd(), POLLIN, 0},
                       {out_.fd(), POLLIN, 0},
                       {err_.fd(), POLLIN, 0},
                       {in_.fd(), POLLOUT, 0},
                       {killing_ ? -1 : stop_fd_, POLLIN, 0}};
      int n = ppoll(fds, 5, timeout_until(wake), nullptr);
      if (n < 0 && errno != EINTR) throw std::system_error(errno, std::generic_category(), "ppoll");
      if (fds[3].revents) in_.pump();
      if (fds[1].revents) drain(out_);
      if (fds[2].revents) drain(err_);
      if (fds[0].revents) break;  // the run is over: every process of it is gone
      if (fds[4].revents) {
        result_.stopped = true;
        kill_now();
        continue;
      }

      auto now = Clock::now();
      if (killing_) {
        if (now >= kill_deadline_) {
          run_.force_kill();
          kill_deadline_ = Clock::time_point::max();
        }
      } else if (now >= wall_deadline) {
        stop(LimitHit::Wall);
      } else if (now >= next_cpu_check) {
        double used = run_.cpu_seconds_now();
        if (used >= cpu_kill) {
          stop(LimitHit::Cpu);
        } else {
          double rest = cpu_kill - std::max(0.0, used);
          next_cpu_check = now + to_duration(std::max(0.002, rest / ncpus()));
        }
      }
    }
    drain_rest();
  }

 private:
  timespec* timeout_until(Clock::time_point wake) {
    if (wake == Clock::time_point::max()) return nullptr;
    auto ns = std::max<long long>(
        0, std::chrono::duration_cast<std::chrono::nanoseconds>(wake - Clock::now()).count());
    ts_ = {static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
    return &ts_;
  }

  std::uint64_t drain(OutputPump& pump) {
    if (pump.fd() < 0) return 0;
    std::uint64_t limit = lim_.output_bytes;
    // Read at most one byte past the limit: exactly at the limit is fine.
    std::uint64_t budget =
        limit == 0 ? UINT64_MAX
                   : (limit + 1 > result_.output_bytes ? limit + 1 - result_.output_bytes : 0);
    std::uint64_t got = pump.drain(budget);
    result_.output_bytes += got;
    if (limit > 0 && result_.output_bytes > limit) {
      out_.close();
      err_.close();
      if (!killing_) stop(LimitHit::Output);
    }
    return got;
  }

  // The run has ended, so every writer is gone: read to EOF. A pipe end held
  // by a process we cannot see (there should be none) costs at most a second.
  void drain_rest() {
    while (out_.fd() >= 0 || err_.fd() >= 0) {
      if (drain(out_) + drain(err_) > 0) continue;
      if (out_.fd() < 0 && err_.fd() < 0) break;
      pollfd fds[2] = {{out_.fd(), POLLIN, 0}, {err_.fd(), POLLIN, 0}};
      if (poll(fds, 2, 1000) == 0) break;
    }
  }

  void stop(LimitHit why) {
    result_.limit = why;
    result_.killed_by_sandbox = true;
    kill_now();
  }

  void kill_now() {
    killing_ = true;
    in_.close();
    run_.request_kill();
    // Killing a large process (gigabytes to unmap) can take seconds on a
    // loaded machine; only then is the keeper itself killed.
    kill_deadline_ = Clock::now() + std::chrono::seconds(5);
  }

  const Limits& lim_;
  RunControl& run_;
  InputPump& in_;
  OutputPump &out_, &err_;
  Result& result_;
  int stop_fd_;
  bool killing_ = false;
  Clock::time_point kill_deadline_ = Clock::time_point::max();
  timespec ts_{};
};

}  // namespace

void watch_run(const Limits& limits, RunControl& run, InputPump& in, OutputPump& out,
               OutputPump& err, Result& result, int stop_fd) {
  Watchdog(limits, run, in, out, err, result, stop_fd).loop();
}

}  // namespace pj::sandbox
