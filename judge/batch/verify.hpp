// `pipejudge verify`: checks a problem package against its own submissions
// (submissions/<category>/, submissions.yaml), its input validators and its
// time limit, as problemtools' verifyproblem does. Each step is told to an
// observer as it happens; the caller prints.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

#include "judge/engine/input_validators.hpp"
#include "judge/engine/problem.hpp"
#include "judge/engine/results.hpp"

namespace pj::judge {

struct VerifyOptions {
  std::filesystem::path cache_dir;
  int slot = 0;
};

// One of the package's submissions, judged and held against its expectation.
struct SubmissionCheck {
  std::string relative;  // "accepted/sol.cpp"
  SubmissionReport report;
  std::optional<std::string> mismatch;  // why it is not as the package says
};

// The slowest accepted test time against the limit.
struct SlowestAccepted {
  double seconds = 0;
  std::string where;  // "accepted/sol.cpp on secret/3"
  double time_limit = 0;
  double multiplier = 0;  // the package wants seconds * multiplier within the limit
  bool within_margin() const { return seconds * multiplier <= time_limit + 1e-9; }
};

class VerifyObserver {
 public:
  virtual ~VerifyObserver() = default;
  virtual void on_start(const Problem& p, std::size_t submissions) = 0;
  virtual void on_inputs(const InputValidation& v) = 0;
  // The package has no time limit: the accepted submissions' slowest time set it.
  virtual void on_time_limit_set(double limit, double multiplier, double slowest) = 0;
  virtual void on_submission(const SubmissionCheck& c) = 0;
  virtual void on_end(const std::optional<SlowestAccepted>& slowest, std::size_t passed,
                      std::size_t total) = 0;
};

// Verifies one package; true if everything is as the package says. Throws
// ConfigError for a package that cannot be read.
bool verify_problem(const std::filesystem::path& dir, const VerifyOptions& options,
                    VerifyObserver& observer);

}  // namespace pj::judge
