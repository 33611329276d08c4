// `pipejudge cancel ID`: a queued submission is taken off the queue, a
// running one is stopped by its worker; either way its final verdict is
// CANCELLED, which blames nothing on the submission.
#pragma once

#include <optional>
#include <string>

#include "judge/pipeline/instance.hpp"

namespace pj::judge {

struct CancelResult {
  enum class Outcome {
    Removed,  // it was queued: taken off, its verdict CANCELLED
    Stopped,  // it was being judged: its worker stopped it
    Asked,    // it is being judged: its worker is asked to stop it (not done yet)
    Judged,   // too late: it has its verdict (`verdict`)
    Unknown,  // no such submission in the instance
  };
  Outcome outcome = Outcome::Unknown;
  std::string verdict;  // Judged: its verdict
};

// Waits up to `wait_seconds` for the worker of a running job to stop it.
CancelResult cancel_submission(const Instance& inst, const std::string& id, double wait_seconds);

}  // namespace pj::judge
