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
  CHECK(find(plan_rlimits(limits(), 0, true), RLIMIT_NPROC)->rlim_max == 10);
  // A user namespace of the slot's own: the run's and the keeper's.
  CHECK(find(plan_rlimits(limits(), 1, false), RLIMIT_NPROC)->rlim_max == 11);
  // The caller's uid, shared with everything of the user's: not set.
  CHECK_FALSE(find(plan_rlimits(limits(), -1, false), RLIMIT_NPROC));
}

TEST_CASE("rlimits: the address space is capped only without a memory cgroup, and if allowed",
          "[sandbox][rlimits]") {
  CHECK_FALSE(find(plan_rlimits(limits(), 0, true), RLIMIT_AS));
  auto as = find(plan_rlimits(limits(), -1, false), RLIMIT_AS);
  REQUIRE(as);
  CHECK(as->rlim_max == 2 * (256ull << 20));
  Limits reserving = limits();
  reserving.address_space_cap = false;  // a runtime that reserves virtual memory in bulk
  CHECK_FALSE(find(plan_rlimits(reserving, 1, false), RLIMIT_AS));
}
