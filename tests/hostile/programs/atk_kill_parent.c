// hostile: kills its parent (SIGKILL, SIGTERM, SIGSTOP).
// verdicts: AC, RE
// Expected: only the run dies: the judge (or its keeper) survives and reports.
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
int main(void) {
    pid_t pp = getppid();
    fprintf(stderr, "parent is %d\n", pp);
    if (kill(pp, SIGSTOP) == 0) fprintf(stderr, "stopped the parent\n");
    if (kill(pp, SIGTERM) == 0) fprintf(stderr, "SIGTERM to the parent\n");
    if (kill(pp, SIGKILL) == 0) fprintf(stderr, "SIGKILL to the parent\n");
    usleep(100000);
    printf("3\n");
    return 0;
}
