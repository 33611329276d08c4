// Resource limits applied in the child just before exec.
#pragma once

#include <sys/resource.h>

#include <array>

#include "sandbox/sandbox.hpp"

namespace pj::sandbox {

struct RlimitPlan {
  struct Entry {
    int resource;
    rlimit value;
  };
  std::array<Entry, 8> entries{};
  int count = 0;
};

// Computes the rlimits for `limits` (in the parent: may allocate).
// RLIMIT_NPROC counts every process of a uid (in one user namespace), so it
// is set only when the run's uid counts nothing else: `nproc_others` is how
// many processes outside the run count against it (0: a run uid of its own;
// 1: the keeper, in a user namespace of the slot's own), -1 not to set it.
// The address space is never capped: memory is what the run keeps resident
// (its cgroup, or the keeper's sampling), and a cap would fail runtimes that
// reserve virtual memory in bulk (the JVM, Go, Node) and threads' stacks.
RlimitPlan plan_rlimits(const Limits& limits, int nproc_others);

// Applies the plan. Async-signal-safe: runs in the vforked child.
// Returns 0, or the errno of the first failure.
int apply_rlimits(const RlimitPlan& plan);

}  // namespace pj::sandbox
