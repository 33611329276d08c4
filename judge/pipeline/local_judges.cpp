#include "judge/pipeline/local_judges.hpp"

#include <csignal>
#include <vector>

#include "judge/engine/error.hpp"

namespace pj::judge {

LocalJudges::LocalJudges(const Instance& inst, int workers, const std::string& cache_dir) {
  if (!collector_running(inst)) {
    std::vector<std::string> args = {"collector", "--quiet"};
    for (auto& a : instance_args(inst)) args.push_back(a);
    collector_.emplace(ChildProcess::spawn_self(args, ChildProcess::Stdout::Pipe));
    auto line = collector_->read_line();
    if (!line || line->rfind("ready", 0) != 0)
      throw ConfigError(inst.state_dir.string(), "the instance's collector did not start (" +
                                                     collector_->describe_exit() + ")");
  }
  if (workers <= 0) return;
  std::vector<std::string> args = {"worker", "--jobs", std::to_string(workers)};
  for (auto& a : instance_args(inst)) args.push_back(a);
  if (!cache_dir.empty()) {
    args.push_back("--cache-dir");
    args.push_back(cache_dir);
  }
  workers_.emplace(ChildProcess::spawn_self(args, ChildProcess::Stdout::Null));
}

LocalJudges::~LocalJudges() {
  if (workers_) workers_->stop(SIGTERM, 180);
  if (collector_) collector_->stop(SIGTERM, 30);
}

}  // namespace pj::judge
