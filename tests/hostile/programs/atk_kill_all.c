// hostile: kill(-1, SIGKILL): every process it may signal (survives itself).
// verdicts: AC, RE
// Expected: only the run dies (here: nothing, the caller is exempt); the
// judge, other runs and other processes of the run's uid survive.
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
int main(void) {
    if (kill(-1, SIGKILL) == 0) fprintf(stderr, "kill(-1) succeeded\n");
    usleep(100000);
    printf("3\n");
    return 0;
}
