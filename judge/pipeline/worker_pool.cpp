#include "judge/pipeline/worker_pool.hpp"

#include <signal.h>

#include <chrono>
#include <optional>
#include <vector>

#include "judge/pipeline/child.hpp"
#include "judge/pipeline/clock.hpp"
#include "judge/pipeline/signals.hpp"

namespace pj::judge {
namespace {

constexpr auto kPoll = std::chrono::milliseconds(100);
// A member that keeps dying at once is started again at most this often.
constexpr double kRestartBackoffSeconds = 1.0;
// How long a member may take to finish its job once told to stop.
constexpr double kStopGraceSeconds = 120;

std::vector<std::string> member_args(const Instance& inst, const WorkerOptions& options) {
  std::vector<std::string> args = {"worker", "--jobs", "1"};
  for (auto& a : instance_args(inst)) args.push_back(std::move(a));
  args.push_back("--max-attempts");
  args.push_back(std::to_string(options.max_attempts));
  if (!options.cache_dir.empty()) {
    args.push_back("--cache-dir");
    args.push_back(options.cache_dir);
  }
  return args;
}

struct Member {
  std::optional<ChildProcess> process;
  double started = 0;
};

}  // namespace

void run_worker_pool(const Instance& inst, const WorkerOptions& options, int workers,
                     const std::atomic<bool>& stop, const Log& log) {
  std::vector<Member> members(static_cast<std::size_t>(workers));
  auto start = [&](Member& m) {
    m.process.emplace(
        ChildProcess::spawn_self(member_args(inst, options), ChildProcess::Stdout::Inherit));
    m.started = monotonic_seconds();
  };
  for (auto& m : members) start(m);
  log("started " + std::to_string(workers) + " workers");
  while (!stop) {
    for (auto& m : members) {
      if (m.process->running()) continue;
      if (monotonic_seconds() - m.started < kRestartBackoffSeconds) continue;
      log("worker " + std::to_string(m.process->pid()) + " " + m.process->describe_exit() +
          "; starting another");
      start(m);
    }
    sleep_until_stopped(kPoll);  // told to stop: the members are told at once
  }
  // Each member finishes (or hands back) its job; stopped together, so the
  // slowest job sets the time.
  for (auto& m : members)
    if (m.process->running()) ::kill(m.process->pid(), SIGTERM);
  for (auto& m : members) m.process->stop(SIGTERM, kStopGraceSeconds);
  log("stopped " + std::to_string(workers) + " workers");
}

}  // namespace pj::judge
