// The rlimits a run gets: which are set, and to what, in each mode.
#include <catch2/catch.hpp>
#include <optional>

#include "sandbox/rlimits.hpp"

using namespace pj::sandbox;

namespace {

std::optional<rlimit> find(const RlimitPlan& plan, int resource) {
  for (int i = 0; i < plan.count; ++i)
    if (plan.entries[i].resource == resource) return plan.entries[i].value;
  return std::nullopt;
}

Limits limits() {
  Limits l;
  l.memory_bytes = 256ull << 20;
  l.processes = 10;
  return l;
}

}  // namespace

TEST_CASE("rlimits: RLIMIT_NPROC counts what else shares the run's uid", "[sandbox][rlimits]") {
  // A run uid of its own: exactly the process limit.
  CHECK(find(plan_rlimits(limits(), 0), RLIMIT_NPROC)->rlim_max == 10);
  // A user namespace of the slot's own: the run's and the keeper's.
  CHECK(find(plan_rlimits(limits(), 1), RLIMIT_NPROC)->rlim_max == 11);
  // The caller's uid, shared with everything of the user's: not set.
  CHECK_FALSE(find(plan_rlimits(limits(), -1), RLIMIT_NPROC));
}

TEST_CASE("rlimits: the address space is never capped, the stack is the memory limit",
          "[sandbox][rlimits]") {
  // Memory is what a run keeps resident (its cgroup, or sampling): a cap on
  // the address space would fail threads and runtimes that reserve in bulk.
  for (int others : {-1, 0, 1}) CHECK_FALSE(find(plan_rlimits(limits(), others), RLIMIT_AS));
  CHECK(find(plan_rlimits(limits(), 0), RLIMIT_STACK)->rlim_max == 256ull << 20);
  Limits stack = limits();
  stack.stack_bytes = 8ull << 20;
  CHECK(find(plan_rlimits(stack, 0), RLIMIT_STACK)->rlim_max == 8ull << 20);
}
