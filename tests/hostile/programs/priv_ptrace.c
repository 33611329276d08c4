// hostile: ptrace: attaches to its own child, to its parent and to pid 1,
// and tries PTRACE_TRACEME in a child.
// verdicts: AC, RE
// Prints "FOUND:..." (so WA) for every ptrace call that succeeded; prints 3
// (AC) if all failed. Expected: ptrace fails, or RE (seccomp kill).
#include <signal.h>
#include <stdio.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void) {
    int found = 0;
    pid_t c = fork();
    if (c == 0) {
        for (;;) pause();
    }
    if (c > 0 && ptrace(PTRACE_ATTACH, c, 0, 0) == 0) {
        printf("FOUND:ptrace-attach-child\n");
        found = 1;
    }
    pid_t pp = getppid();
    if (ptrace(PTRACE_ATTACH, pp, 0, 0) == 0) {
        printf("FOUND:ptrace-attach-parent\n");
        found = 1;
        ptrace(PTRACE_DETACH, pp, 0, 0);
    }
    if (pp != 1 && ptrace(PTRACE_ATTACH, 1, 0, 0) == 0) {
        printf("FOUND:ptrace-attach-pid1\n");
        found = 1;
        ptrace(PTRACE_DETACH, 1, 0, 0);
    }
    int fds[2];
    if (pipe(fds) == 0) {
        pid_t t = fork();
        if (t == 0) {
            char ok = ptrace(PTRACE_TRACEME, 0, 0, 0) == 0;
            if (write(fds[1], &ok, 1) < 0) {}
            _exit(0);
        }
        char ok = 0;
        if (read(fds[0], &ok, 1) == 1 && ok) {
            printf("FOUND:ptrace-traceme\n");
            found = 1;
        }
        waitpid(t, 0, 0);
    }
    if (c > 0) {
        kill(c, SIGKILL);
        waitpid(c, 0, 0);
    }
    if (!found) printf("3\n");
    return 0;
}
