// Test groups: which tests still need running, and what each group's
// results add up to (verdict, and score for scoring problems).
#pragma once

#include <optional>
#include <vector>

#include "judge/engine/judge_submission.hpp"
#include "judge/engine/problem.hpp"

namespace pj::judge {

// Tracks failures while tests run: once a group that stops on reject
// (legacy on_reject: break, a pass-fail or min group) has a failure, the
// rest of it is not run.
class GroupTracker {
 public:
  explicit GroupTracker(const Problem& p) : problem_(p), broken_(p.groups.size(), false) {}
  bool should_run(std::size_t test) const;
  void record_failure(std::size_t test);

 private:
  const Problem& problem_;
  std::vector<bool> broken_;
};

struct ScoreSheet {
  std::vector<GroupReport> groups;  // every group but the root, in order
  std::optional<double> score, max_score;
};

// `by_test[i]` is the report of problem.tests[i], or null if it did not run.
ScoreSheet score_groups(const Problem& p, const std::vector<const TestReport*>& by_test);

}  // namespace pj::judge
