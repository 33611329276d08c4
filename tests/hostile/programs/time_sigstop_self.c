// hostile: the program stops itself with SIGSTOP (a stopped process uses no
// CPU and never exits on its own).
// verdicts: TLE
// Expected: TLE on wall time, never a hang.
#include <signal.h>
#include <stdio.h>
int main(void) {
    raise(SIGSTOP);
    printf("3\n");
    return 0;
}
