// The judging side of an instance as child processes of a long-running
// command (`serve`): its collector, unless one runs already, and a pool of
// workers (`pipejudge worker --jobs N`, which supervises its members).
// Supervised: one that dies is started again (at most once a second; a
// collector only while no other one holds the instance). Stopped in order
// when it goes: the workers first (each finishes the job it is judging, or
// hands it back), then a collector it started.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "judge/pipeline/child.hpp"
#include "judge/pipeline/instance.hpp"
#include "judge/pipeline/transport.hpp"

namespace pj::judge {

class LocalJudges {
 public:
  // `workers` 0: no worker pool (workers already run on the instance).
  // Throws ConfigError if the collector does not start.
  LocalJudges(const Instance& inst, int workers, const std::string& cache_dir, Log log);
  ~LocalJudges();
  LocalJudges(const LocalJudges&) = delete;
  LocalJudges& operator=(const LocalJudges&) = delete;

 private:
  // Starts a collector if none holds the instance; false if it did not start.
  bool start_collector(std::string& why);
  void start_workers();
  void supervise();

  Instance inst_;
  int workers_wanted_;
  std::string cache_dir_;
  Log log_;
  std::optional<ChildProcess> collector_;
  std::optional<ChildProcess> workers_;
  double collector_started_ = 0, workers_started_ = 0;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread supervisor_;
};

}  // namespace pj::judge
