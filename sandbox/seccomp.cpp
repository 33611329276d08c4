// libseccomp builds and exports the filter once; installing it and talking
// to the listener are raw syscalls, so that the vforked child and the keeper
// (a copy of a possibly multi-threaded judge) never allocate.
#include "sandbox/seccomp.hpp"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <system_error>

#include "sandbox/fd.hpp"

namespace pj::sandbox {
namespace {

// Whole syscalls no judged program needs. Grouped by why.
constexpr const char* kDeniedSyscalls[] = {
    // Reading or steering other processes.
    "ptrace", "process_vm_readv", "process_vm_writev", "process_madvise", "pidfd_getfd", "kcmp",
    // Mounts and file system internals.
    "mount", "umount2", "pivot_root", "chroot", "fsopen", "fsconfig", "fsmount", "fspick",
    "open_tree", "move_mount", "mount_setattr", "open_by_handle_at", "name_to_handle_at",
    "quotactl", "quotactl_fd", "lookup_dcookie", "fanotify_init",
    // Administration of the machine and the kernel.
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "reboot",
    "swapon", "swapoff", "acct", "syslog", "vhangup", "sethostname", "setdomainname", "iopl",
    "ioperm", "uselib",
    // Kernel interfaces with a long history of exploits. io_uring_setup is
    // answered separately (see answer_probes_with_enosys); without a ring
    // these two have nothing to act on.
    "bpf", "perf_event_open", "userfaultfd", "keyctl", "add_key", "request_key", "io_uring_enter",
    "io_uring_register"};
// Deliberately allowed: the setuid/setgid family (unprivileged, it can only
// move between ids the process already has; the keeper drops them before
// exec and no_new_privs stops setuid binaries), and seccomp (a program's own
// filter can only restrict it further; a second listener gets EBUSY).

// The clocks are the machine's, not the run's: refused with EPERM, as the
// kernel refuses any unprivileged process, so a program that tries carries on
// (and is judged on what it does next) rather than dying for asking. So is
// its CPU affinity: a run is pinned to its slot's core (without a cpuset
// cgroup only by affinity), and its threads must not spread to other slots'.
constexpr const char* kRefusedSyscalls[] = {"settimeofday", "clock_settime", "clock_adjtime",
                                            "adjtimex", "sched_setaffinity"};

// Runtimes probe these and fall back when the kernel lacks them: glibc's
// pthread_create and posix_spawn try clone3 before clone, libuv (Node.js)
// tries io_uring before its thread pool. ENOSYS keeps such programs working;
// the calls still never reach the kernel.
constexpr const char* kProbedSyscalls[] = {"clone3", "io_uring_setup"};

// Every CLONE_NEW* flag clone() honours. CLONE_NEWTIME is not one: its bit is
// part of the exit-signal byte in clone(); unshare and clone3 are denied whole.
constexpr std::uint64_t kCloneNamespaceFlags[] = {CLONE_NEWNS,  CLONE_NEWCGROUP, CLONE_NEWUTS,
                                                  CLONE_NEWIPC, CLONE_NEWUSER,   CLONE_NEWPID,
                                                  CLONE_NEWNET};

// The kernel reads ioctl's request as 32 bits: compare only those, or a
// caller could set high bits to slip past (CVE-2019-10063).
constexpr std::uint64_t kIoctlRequestMask = 0xffffffffu;

// x32 syscalls come in with the x86_64 arch and this bit set in the number.
constexpr int kX32SyscallBit = 0x40000000;

struct ContextRelease {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};
using Context = std::unique_ptr<void, ContextRelease>;

struct FreeDeleter {
  void operator()(char* p) const { std::free(p); }
};

void check(int rc, const std::string& what) {
  if (rc < 0) throw std::system_error(-rc, std::generic_category(), what);
}

scmp_arg_cmp masked_equals(unsigned arg, std::uint64_t mask, std::uint64_t value) {
  return {arg, SCMP_CMP_MASKED_EQ, mask, value};
}

scmp_arg_cmp not_equal(unsigned arg, std::uint64_t value) {
  return {arg, SCMP_CMP_NE, value, 0};
}

// One rule: `action` for `name` when every comparison in `when` holds.
void add_rule(scmp_filter_ctx ctx, std::uint32_t action, const char* name,
              std::initializer_list<scmp_arg_cmp> when = {}) {
  int nr = seccomp_syscall_resolve_name(name);
  if (nr == __NR_SCMP_ERROR) throw std::invalid_argument(std::string("unknown syscall ") + name);
  check(seccomp_rule_add_array(ctx, action, nr, static_cast<unsigned>(when.size()), when.begin()),
        std::string("seccomp_rule_add ") + name);
}

bool kernel_has_user_notification() {
  std::uint32_t action = SECCOMP_RET_USER_NOTIF;
  return syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
}

void deny_namespaces(scmp_filter_ctx ctx, std::uint32_t deny) {
  add_rule(ctx, deny, "unshare");
  add_rule(ctx, deny, "setns");
  // libseccomp ORs rules and has no "any bit of" test: one rule per flag.
  for (std::uint64_t flag : kCloneNamespaceFlags)
    add_rule(ctx, deny, "clone", {masked_equals(0, flag, flag)});
}

void deny_network(scmp_filter_ctx ctx, std::uint32_t deny) {
  // A full 64-bit compare: AF_UNIX with junk in the high bits is denied too.
  add_rule(ctx, deny, "socket", {not_equal(0, AF_UNIX)});
}

void deny_dangerous_arguments(scmp_filter_ctx ctx, std::uint32_t deny) {
  // Only the default persona: no ASLR switch-off, READ_IMPLIES_EXEC,
  // MMAP_PAGE_ZERO, ... (the query 0xffffffff is denied as well).
  add_rule(ctx, deny, "personality", {not_equal(0, 0)});
  // Typing into, or reading, the controlling terminal of the judge.
  add_rule(ctx, deny, "ioctl", {masked_equals(1, kIoctlRequestMask, TIOCSTI)});
  add_rule(ctx, deny, "ioctl", {masked_equals(1, kIoctlRequestMask, TIOCLINUX)});
  // Device nodes; fifos, sockets and regular files stay allowed.
  for (std::uint64_t type : {S_IFCHR, S_IFBLK}) {
    add_rule(ctx, deny, "mknod", {masked_equals(1, S_IFMT, type)});
    add_rule(ctx, deny, "mknodat", {masked_equals(2, S_IFMT, type)});
  }
}

void answer_probes_with_enosys(scmp_filter_ctx ctx) {
  for (const char* name : kProbedSyscalls) add_rule(ctx, SCMP_ACT_ERRNO(ENOSYS), name);
}

// libseccomp 2.5 exports only to an fd; a memfd never blocks, whatever the size.
std::vector<sock_filter> export_program(scmp_filter_ctx ctx) {
  UniqueFd mem(memfd_create("pj-seccomp-bpf", MFD_CLOEXEC));
  if (!mem) throw std::system_error(errno, std::generic_category(), "memfd_create");
  check(seccomp_export_bpf(ctx, mem.get()), "seccomp_export_bpf");
  struct stat st {};
  if (fstat(mem.get(), &st) != 0) throw std::system_error(errno, std::generic_category(), "fstat");
  auto size = static_cast<std::size_t>(st.st_size);
  if (size == 0 || size % sizeof(sock_filter) != 0 || size / sizeof(sock_filter) > BPF_MAXINSNS)
    throw std::length_error("seccomp filter of unexpected size " + std::to_string(size));
  std::vector<sock_filter> program(size / sizeof(sock_filter));
  auto* out = reinterpret_cast<char*>(program.data());
  for (std::size_t done = 0; done < size;) {
    ssize_t n = pread(mem.get(), out + done, size - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::system_error(n < 0 ? errno : EIO, std::generic_category(), "pread");
    done += static_cast<std::size_t>(n);
  }
  return program;
}

bool notification_pending(int listener_fd) {
  pollfd p{listener_fd, POLLIN, 0};
  return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

// The kernel's structs may outgrow our header's; it tells their sizes, and
// these buffers leave room for that without allocating.
constexpr std::size_t kNotifBufferSize = 512;

void answer_with_error(int listener_fd, std::uint64_t id, int error) {
  alignas(seccomp_notif_resp) unsigned char buffer[kNotifBufferSize] = {};
  auto* resp = new (buffer) seccomp_notif_resp{};
  resp->id = id;
  resp->error = -error;
  // ENOENT here means the caller died meanwhile: nothing left to answer.
  ioctl(listener_fd, SECCOMP_IOCTL_NOTIF_SEND, resp);
}

std::uint32_t effective_arch(int nr, std::uint32_t arch) {
  return arch == SCMP_ARCH_X86_64 && (nr & kX32SyscallBit) ? SCMP_ARCH_X32 : arch;
}

std::string abi_suffix(int nr, std::uint32_t arch) {
  std::uint32_t abi = effective_arch(nr, arch);
  if (abi == seccomp_arch_native()) return "";
  if (abi == SCMP_ARCH_X86) return " (i386 ABI)";
  if (abi == SCMP_ARCH_X32) return " (x32 ABI)";
  char hex[32];
  std::snprintf(hex, sizeof hex, " (arch 0x%x)", abi);
  return hex;
}

}  // namespace

SeccompPolicy build_policy(const SeccompOptions& options) {
  bool notify = options.report == SeccompOptions::Report::Notify && kernel_has_user_notification();
  std::uint32_t deny = notify ? SCMP_ACT_NOTIFY : SCMP_ACT_KILL_PROCESS;

  Context ctx(seccomp_init(SCMP_ACT_ALLOW));
  if (!ctx) throw std::system_error(ENOMEM, std::generic_category(), "seccomp_init");
  // Only the native ABI is in the filter: calls through any other (int 0x80,
  // x32) get `deny` as a whole.
  check(seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, deny), "seccomp_attr_set badarch");
  // A binary search over syscall numbers instead of a linear scan.
  check(seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2), "seccomp_attr_set optimize");

  for (const char* name : kDeniedSyscalls) add_rule(ctx.get(), deny, name);
  for (const char* name : kRefusedSyscalls) add_rule(ctx.get(), SCMP_ACT_ERRNO(EPERM), name);
  answer_probes_with_enosys(ctx.get());
  if (options.only_exec_path) {
    // The one exec allowed is the supervisor's own, recognised by the
    // address of its path string (in the supervisor's memory; a program
    // cannot know it): once running, the program cannot exec anything.
    auto ours = reinterpret_cast<std::uintptr_t>(options.only_exec_path);
    add_rule(ctx.get(), deny, "execve", {not_equal(0, ours)});
    add_rule(ctx.get(), deny, "execveat");
  }
  deny_dangerous_arguments(ctx.get(), deny);
  if (!options.allow_namespaces) deny_namespaces(ctx.get(), deny);
  if (!options.allow_network)
    deny_network(ctx.get(), options.refuse_network ? SCMP_ACT_ERRNO(EAFNOSUPPORT) : deny);

  return SeccompPolicy{export_program(ctx.get()), notify};
}

int install_policy(const SeccompPolicy& policy) {
  // Unprivileged filters need it; it also keeps setuid binaries from
  // regaining what the filter takes away.
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -errno;
  sock_fprog prog{static_cast<unsigned short>(policy.program.size()),
                  const_cast<sock_filter*>(policy.program.data())};
  unsigned long flags = policy.notifies ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0;
  long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
  return rc < 0 ? -errno : static_cast<int>(rc);
}

std::optional<Violation> take_notification(int listener_fd) {
  if (!notification_pending(listener_fd)) return std::nullopt;
  seccomp_notif_sizes sizes{};
  if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) != 0 ||
      sizes.seccomp_notif > kNotifBufferSize || sizes.seccomp_notif_resp > kNotifBufferSize) {
    // Cannot receive it safely; still a violation (syscall_nr -1), so the
    // caller kills the run instead of polling a listener that stays readable.
    return Violation{0, -1, 0, {}};
  }
  alignas(seccomp_notif) unsigned char buffer[kNotifBufferSize] = {};  // RECV wants it zeroed
  auto* req = new (buffer) seccomp_notif{};
  // ENOENT: the caller was killed after poll; EINTR: poll again.
  if (ioctl(listener_fd, SECCOMP_IOCTL_NOTIF_RECV, req) != 0) return std::nullopt;
  Violation v{static_cast<pid_t>(req->pid), req->data.nr, req->data.arch, {}};
  for (std::size_t i = 0; i < v.args.size(); ++i) v.args[i] = req->data.args[i];
  answer_with_error(listener_fd, req->id, EPERM);
  return v;
}

std::string syscall_name(int nr, std::uint32_t arch) {
  std::unique_ptr<char, FreeDeleter> name(
      seccomp_syscall_resolve_num_arch(effective_arch(nr, arch), nr));
  return name ? std::string(name.get()) : "syscall " + std::to_string(nr);
}

std::string syscall_display_name(int nr, std::uint32_t arch) {
  if (nr < 0) return "(unknown)";  // the notification could not be read
  return syscall_name(nr, arch) + abi_suffix(nr, arch);
}

std::string violation_reason(const Violation& v) {
  return "forbidden syscall " + syscall_display_name(v.syscall_nr, v.arch);
}

}  // namespace pj::sandbox
