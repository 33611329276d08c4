/* Runs a command where no namespace can be made, as in a container whose
 * seccomp profile forbids them (Docker's default, without CAP_SYS_ADMIN):
 * unshare, setns and a clone with any CLONE_NEW* flag fail with EPERM, and
 * clone3 with ENOSYS (its flags are behind a pointer: callers fall back to
 * clone). The test suites use it to put pipejudge in its last resort.
 *
 *   deny_namespaces COMMAND [ARG...]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: deny_namespaces COMMAND [ARG...]\n");
    return 2;
  }
  const unsigned long new_flags[] = {CLONE_NEWNS,  CLONE_NEWUTS, CLONE_NEWIPC,    CLONE_NEWUSER,
                                     CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP, CLONE_NEWTIME};
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  int bad = !ctx || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(unshare), 0) ||
            seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(setns), 0) ||
            seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
  /* One rule per flag: rules of one syscall match if any does. */
  for (size_t i = 0; !bad && i < sizeof new_flags / sizeof new_flags[0]; ++i)
    bad = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                           SCMP_A0(SCMP_CMP_MASKED_EQ, new_flags[i], new_flags[i])) != 0;
  if (bad || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || seccomp_load(ctx) != 0) {
    fprintf(stderr, "deny_namespaces: cannot install the filter\n");
    return 2;
  }
  seccomp_release(ctx);
  execvp(argv[1], argv + 1);
  fprintf(stderr, "deny_namespaces: cannot run %s: %m\n", argv[1]);
  return 127;
}
