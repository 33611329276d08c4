// The seccomp concern of a run: which syscalls a judged program may not make,
// and how a denied one is turned into a clear reason ("forbidden syscall
// ptrace") instead of a bare SIGSYS.
//
// Life of a policy:
//   judge/keeper  build_policy()        once, may allocate (libseccomp)
//   vforked child install_policy()      right before execve, async-signal-safe
//   keeper        take_notification()   when the listener is readable, async-signal-safe
//   judge         violation_reason()    on the Violation the keeper recorded, allocates
//
// The listener fd is created by the kernel in the task that installs the
// filter, with O_CLOEXEC. The keeper gets it by starting the program with
// clone(CLONE_VM | CLONE_VFORK | CLONE_FILES): the fd table is shared until
// execve, execve gives the program a private copy and closes the listener in
// it, and the keeper's copy stays. With a plain vfork the listener would be
// lost at exec and denied syscalls would fail with ENOSYS instead.
//
// The supervisor must poll the listener while the program runs: a program
// stopped in a denied syscall waits for the answer (killable, but it uses no
// CPU, so only the wall-time limit would end it otherwise).
#pragma once

#include <linux/filter.h>
#include <sys/types.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pj::sandbox {

struct SeccompOptions {
  // How a denied syscall ends the run.
  //   Notify: the program stops in the call and the supervisor holding the
  //           listener learns which syscall it was. Falls back to Kill when
  //           the kernel lacks user notification (before Linux 5.0).
  //   Kill:   the kernel kills the program with SIGSYS; the syscall cannot be named.
  enum class Report { Notify, Kill };
  Report report = Report::Notify;
  bool allow_network = false;  // sockets of every family; otherwise AF_UNIX only
  // Other sockets fail with EAFNOSUPPORT instead of being denied: for tools
  // (the JVM opens an AF_INET socket as it loads its file I/O library).
  bool refuse_network = false;
  bool allow_namespaces = false;  // unshare, setns and clone with CLONE_NEW* flags
  // Set: execve is allowed only with exactly this path pointer (the
  // supervisor's own exec of the program), execveat never.
  const void* only_exec_path = nullptr;
};

struct SeccompPolicy {
  std::vector<sock_filter> program;  // classic BPF for SECCOMP_SET_MODE_FILTER
  bool notifies = false;             // installing it yields a listener fd
};

// Builds the filter for the native architecture; every other syscall ABI
// (32-bit x86 via int 0x80, x32) is denied as a whole. Throws
// std::system_error if libseccomp refuses.
SeccompPolicy build_policy(const SeccompOptions& options = {});

// Sets no_new_privs and installs the filter on the calling thread. Raw
// syscalls only: safe in a vforked child. Returns -errno on failure;
// otherwise the listener fd if `policy.notifies` (O_CLOEXEC), else 0.
int install_policy(const SeccompPolicy& policy);

// A denied syscall as the listener reported it. Plain data: the keeper can
// store it in shared memory for the judge to name.
struct Violation {
  pid_t pid = 0;           // in the pid namespace of the caller of take_notification
  int syscall_nr = 0;      // as seen by the filter (x32 calls carry bit 30)
  std::uint32_t arch = 0;  // AUDIT_ARCH_* of the calling ABI
  std::array<std::uint64_t, 6> args{};
};

// Takes one pending notification, if any (never blocks), answers it with
// EPERM so that the program does not stay stopped in the call, and returns
// it; the caller then kills the run. Returns nullopt when nothing is pending
// (or the caller died meanwhile). Async-signal-safe: no allocation.
std::optional<Violation> take_notification(int listener_fd);

// "ptrace", or "syscall 1234" if libseccomp does not know the number.
std::string syscall_name(int nr, std::uint32_t arch);

// syscall_name plus the ABI when it is not the native one:
// "ptrace", "getpid (i386 ABI)", "getpid (x32 ABI)".
std::string syscall_display_name(int nr, std::uint32_t arch);

// "forbidden syscall ptrace", "forbidden syscall getpid (i386 ABI)".
std::string violation_reason(const Violation& v);

}  // namespace pj::sandbox
