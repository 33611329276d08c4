#include "sandbox/seccomp_hook.hpp"

#include <cerrno>
#include <system_error>

#include "sandbox/seccomp.hpp"

namespace pj::sandbox {
namespace {

SeccompPolicy g_policy;  // the keeper's, built once

}  // namespace

int prepare_program_filter() {
  try {
    g_policy = build_policy();
    return 0;
  } catch (const std::system_error& e) {
    return e.code().value() ? e.code().value() : EINVAL;
  } catch (const std::exception&) {
    return EINVAL;
  }
}

int install_program_filter(int* listener) {
  *listener = -1;
  int r = install_policy(g_policy);
  if (r < 0) return -r;
  if (g_policy.notifies) *listener = r;
  return 0;
}

std::optional<SyscallViolation> take_violation(int listener) {
  auto v = take_notification(listener);
  if (!v) return std::nullopt;
  return SyscallViolation{v->syscall_nr, v->arch};
}

std::string forbidden_syscall_name(int nr, std::uint32_t arch) {
  return syscall_name(nr, arch);
}

}  // namespace pj::sandbox
