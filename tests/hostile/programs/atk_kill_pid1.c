// hostile: kills pid 1 (SIGKILL, SIGTERM, SIGSTOP, SIGINT).
// verdicts: AC, RE
// Expected: only the run dies; pid 1 (the keeper, or init) and the judge live.
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
int main(void) {
    int sigs[] = {SIGSTOP, SIGINT, SIGTERM, SIGKILL};
    for (int i = 0; i < 4; ++i)
        if (kill(1, sigs[i]) == 0) fprintf(stderr, "signal %d to pid 1 delivered\n", sigs[i]);
    usleep(100000);
    printf("3\n");
    return 0;
}
