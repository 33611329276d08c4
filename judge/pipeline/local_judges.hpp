// The judging side of an instance as child processes of a long-running
// command (`serve`): its collector, unless one runs already, and a pool of
// workers (`pipejudge worker --jobs N`, which supervises its members).
// Stopped in order when it goes: the workers first (each finishes the job
// it is judging, or hands it back), then a collector it started.
#pragma once

#include <optional>
#include <string>

#include "judge/pipeline/child.hpp"
#include "judge/pipeline/instance.hpp"

namespace pj::judge {

class LocalJudges {
 public:
  // `workers` 0: no worker pool (workers already run on the instance).
  // Throws ConfigError if the collector does not start.
  LocalJudges(const Instance& inst, int workers, const std::string& cache_dir);
  ~LocalJudges();
  LocalJudges(const LocalJudges&) = delete;
  LocalJudges& operator=(const LocalJudges&) = delete;

  bool started_collector() const { return collector_.has_value(); }

 private:
  std::optional<ChildProcess> collector_;
  std::optional<ChildProcess> workers_;
};

}  // namespace pj::judge
