// The keeper's use of the seccomp policy (seccomp.hpp): built once per slot,
// installed in every program right before exec.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace pj::sandbox {

// Builds the program filters (allocates; at keeper start). `exec_path` is
// the address the keeper always passes to execve as the program's path: the
// no-exec filter lets exactly that exec through. 0 or an errno.
int prepare_program_filter(const void* exec_path = nullptr);

// In the program's clone child: installs the filter (with `allow_exec`, the
// program may exec others; compilers must). Async-signal-safe.
// *listener gets the notification fd (-1 if the kernel offers none and
// forbidden syscalls kill instead). 0 or an errno.
int install_program_filter(bool allow_exec, int* listener);

struct SyscallViolation {
  int nr;
  std::uint32_t arch;
};
// Takes a pending notification (answering it with EPERM); nullopt if none.
std::optional<SyscallViolation> take_violation(int listener);

// "ptrace" (or "syscall N" / the ABI when unknown).
std::string forbidden_syscall_name(int nr, std::uint32_t arch);

}  // namespace pj::sandbox
