// hostile: unshare(): a user namespace (which hands out every capability
// inside it), then mount/net/pid/ipc/uts namespaces, each in its own child.
// verdicts: AC, RE
// Prints "FOUND:..." (so WA) for each namespace it could create; prints 3
// (AC) if all failed. Expected: unshare fails, or RE (seccomp kill).
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void) {
    struct {
        int flag;
        const char* name;
    } ns[] = {{CLONE_NEWUSER, "user"}, {CLONE_NEWNS, "mount"}, {CLONE_NEWNET, "net"},
              {CLONE_NEWPID, "pid"},   {CLONE_NEWIPC, "ipc"},  {CLONE_NEWUTS, "uts"}};
    int found = 0;
    for (int i = 0; i < 6; ++i) {
        pid_t c = fork();
        if (c == 0) _exit(unshare(ns[i].flag) == 0 ? 0 : 1);
        int st = 1;
        if (c > 0 && waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0) {
            printf("FOUND:unshare-%s\n", ns[i].name);
            found = 1;
        }
    }
    if (!found) printf("3\n");
    return 0;
}
