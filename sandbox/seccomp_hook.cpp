#include "sandbox/seccomp_hook.hpp"

#include <cerrno>
#include <system_error>

#include "sandbox/seccomp.hpp"

namespace pj::sandbox {
namespace {

SeccompPolicy g_exec_policy;     // the keeper's, built once: exec allowed (tools)
SeccompPolicy g_no_exec_policy;  // only the keeper's own exec of the program

}  // namespace

int prepare_program_filter(const void* exec_path) {
  try {
    SeccompOptions tools;
    tools.refuse_network = true;
    g_exec_policy = build_policy(tools);
    SeccompOptions no_exec;
    no_exec.only_exec_path = exec_path;
    g_no_exec_policy = exec_path ? build_policy(no_exec) : build_policy();
    return 0;
  } catch (const std::system_error& e) {
    return e.code().value() ? e.code().value() : EINVAL;
  } catch (const std::exception&) {
    return EINVAL;
  }
}

int install_program_filter(bool allow_exec, int* listener) {
  *listener = -1;
  const SeccompPolicy& policy = allow_exec ? g_exec_policy : g_no_exec_policy;
  int r = install_policy(policy);
  if (r < 0) return -r;
  if (policy.notifies) *listener = r;
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
