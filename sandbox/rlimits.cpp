#include "sandbox/rlimits.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>

namespace pj::sandbox {
namespace {

void add(RlimitPlan& plan, int resource, rlim_t soft, rlim_t hard) {
  plan.entries[plan.count++] = {resource, rlimit{soft, hard}};
}

rlim_t or_infinity(std::uint64_t v) {
  return v == 0 ? RLIM_INFINITY : static_cast<rlim_t>(v);
}

}  // namespace

RlimitPlan plan_rlimits(const Limits& limits, int nproc_others) {
  RlimitPlan plan;
  if (limits.cpu_seconds > 0) {
    // A backstop only: the watchdog kills at the exact limit (plus its
    // grace). SIGXCPU at the next whole second past it, SIGKILL one second later.
    double kill = limits.cpu_seconds + std::max(0.0, limits.cpu_grace_seconds);
    auto soft = static_cast<rlim_t>(std::floor(kill)) + 1;
    add(plan, RLIMIT_CPU, soft, soft + 1);
  }
  std::uint64_t stack = limits.stack_bytes ? limits.stack_bytes : limits.memory_bytes;
  add(plan, RLIMIT_STACK, or_infinity(stack), or_infinity(stack));
  if (nproc_others >= 0 && limits.processes > 0) {
    rlim_t n = static_cast<rlim_t>(limits.processes + nproc_others);
    add(plan, RLIMIT_NPROC, n, n);
  }
  if (limits.open_files > 0) add(plan, RLIMIT_NOFILE, limits.open_files, limits.open_files);
  // Files the program writes count like output; stdout itself is a pipe.
  std::uint64_t file = limits.file_bytes ? limits.file_bytes : limits.output_bytes;
  add(plan, RLIMIT_FSIZE, or_infinity(file), or_infinity(file));
  add(plan, RLIMIT_CORE, 0, 0);
  add(plan, RLIMIT_MEMLOCK, 0, 0);
  return plan;
}

int apply_rlimits(const RlimitPlan& plan) {
  for (int i = 0; i < plan.count; ++i) {
    if (setrlimit(plan.entries[i].resource, &plan.entries[i].value) != 0) return errno;
  }
  return 0;
}

}  // namespace pj::sandbox
