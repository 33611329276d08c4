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
// With a memory cgroup, or when `limits.address_space_cap` is off, the
// address space is not capped: runtimes that reserve much virtual memory
// (the JVM, Go, Node) would fail for nothing.
RlimitPlan plan_rlimits(const Limits& limits, int nproc_others, bool memory_by_cgroup);

// Applies the plan. Async-signal-safe: runs in the vforked child.
// Returns 0, or the errno of the first failure.
int apply_rlimits(const RlimitPlan& plan);

}  // namespace pj::sandbox
