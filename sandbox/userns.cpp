// Raw prctl/capset: the ambient set is not reachable through any library the
// sandbox links, and the clone child may only make async-signal-safe calls.
#include "sandbox/userns.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "sandbox/fd.hpp"

namespace pj::sandbox {
namespace {

int write_proc_file(const char* path, const char* text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  std::size_t len = strlen(text);
  int err = write(fd, text, len) == static_cast<ssize_t>(len) ? 0 : errno;
  close(fd);
  return err;
}

}  // namespace

UserNamespacePlan plan_user_namespace() {
  UserNamespacePlan plan{};
  snprintf(plan.uid_map, sizeof plan.uid_map, "%u %u 1\n", getuid(), getuid());
  snprintf(plan.gid_map, sizeof plan.gid_map, "%u %u 1\n", getgid(), getgid());
  plan.last_cap = CAP_LAST_CAP;
  UniqueFd fd(open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC));
  char buf[16] = {};
  if (fd && read(fd.get(), buf, sizeof buf - 1) > 0) plan.last_cap = atoi(buf);
  return plan;
}

int enter_user_namespace(const UserNamespacePlan& plan, const char** step) {
  *step = "denying setgroups in the user namespace";
  if (int err = write_proc_file("/proc/self/setgroups", "deny")) return err;
  *step = "writing the user namespace's uid_map";
  if (int err = write_proc_file("/proc/self/uid_map", plan.uid_map)) return err;
  *step = "writing the user namespace's gid_map";
  if (int err = write_proc_file("/proc/self/gid_map", plan.gid_map)) return err;
  // The clone child holds every capability of the new namespace; a
  // non-root uid would lose them at exec unless they are ambient, and only
  // inheritable ones may be.
  *step = "keeping the namespace's capabilities across exec";
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capget, &header, data) != 0) return errno;
  for (auto& d : data) d.inheritable = d.permitted;
  if (syscall(SYS_capset, &header, data) != 0) return errno;
  for (int cap = 0; cap <= plan.last_cap; ++cap)
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0) return errno;
  return 0;
}

int drop_ambient_capabilities() {
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0) return errno;
  // The inheritable set too: nothing of the keeper's is left to the program.
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capget, &header, data) != 0) return errno;
  for (auto& d : data) d.inheritable = 0;
  return syscall(SYS_capset, &header, data) == 0 ? 0 : errno;
}

}  // namespace pj::sandbox
