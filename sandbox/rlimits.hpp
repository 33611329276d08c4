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
// RLIMIT_NPROC counts every process of a uid, so it is set only when the run
// has a uid of its own. With a memory cgroup the address space is not capped:
// runtimes that reserve much virtual memory (the JVM) would fail for nothing.
RlimitPlan plan_rlimits(const Limits& limits, bool own_uid, bool memory_by_cgroup);

// Applies the plan. Async-signal-safe: runs in the vforked child.
// Returns 0, or the errno of the first failure.
int apply_rlimits(const RlimitPlan& plan);

}  // namespace pj::sandbox
