#include "judge/pipeline/local_judges.hpp"

#include <chrono>
#include <csignal>
#include <vector>

#include "judge/engine/error.hpp"

namespace pj::judge {
namespace {

constexpr auto kLook = std::chrono::milliseconds(250);
// A child that keeps dying at once is started again at most this often.
constexpr double kRestartBackoffSeconds = 1.0;

double monotonic() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

LocalJudges::LocalJudges(const Instance& inst, int workers, const std::string& cache_dir, Log log)
    : inst_(inst), workers_wanted_(workers), cache_dir_(cache_dir), log_(std::move(log)) {
  std::string why;
  if (!start_collector(why))
    throw ConfigError(inst.state_dir.string(),
                      "the instance's collector did not start (" + why + ")");
  if (workers_wanted_ > 0) start_workers();
  supervisor_ = std::thread([this] { supervise(); });
}

LocalJudges::~LocalJudges() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  supervisor_.join();
  if (workers_) workers_->stop(SIGTERM, 180);
  if (collector_) collector_->stop(SIGTERM, 30);
}

bool LocalJudges::start_collector(std::string& why) {
  if (collector_running(inst_)) return true;  // another one serves the instance
  std::vector<std::string> args = {"collector", "--quiet"};
  for (auto& a : instance_args(inst_)) args.push_back(a);
  collector_started_ = monotonic();
  collector_.emplace(ChildProcess::spawn_self(args, ChildProcess::Stdout::Pipe));
  auto line = collector_->read_line();
  if (line && line->rfind("ready", 0) == 0) return true;
  // Another collector may have taken the instance meanwhile; then ours exits.
  why = collector_->describe_exit();
  collector_->stop(SIGTERM, 5);
  collector_.reset();
  return collector_running(inst_);
}

void LocalJudges::start_workers() {
  std::vector<std::string> args = {"worker", "--jobs", std::to_string(workers_wanted_)};
  for (auto& a : instance_args(inst_)) args.push_back(a);
  if (!cache_dir_.empty()) {
    args.push_back("--cache-dir");
    args.push_back(cache_dir_);
  }
  workers_started_ = monotonic();
  workers_.emplace(ChildProcess::spawn_self(args, ChildProcess::Stdout::Null));
}

void LocalJudges::supervise() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!wake_.wait_for(lock, kLook, [this] { return stopping_; })) {
    lock.unlock();
    if ((!collector_ || !collector_->running()) && !collector_running(inst_) &&
        monotonic() - collector_started_ >= kRestartBackoffSeconds) {
      log_(collector_ ? "collector " + std::to_string(collector_->pid()) + " " +
                            collector_->describe_exit() + "; starting another"
                      : "no collector runs on the instance; starting one");
      std::string why;
      if (!start_collector(why)) log_("the collector did not start (" + why + ")");
    }
    if (workers_ && !workers_->running() &&
        monotonic() - workers_started_ >= kRestartBackoffSeconds) {
      log_("worker pool " + std::to_string(workers_->pid()) + " " + workers_->describe_exit() +
           "; starting another");
      start_workers();
    }
    lock.lock();
  }
}

}  // namespace pj::judge
