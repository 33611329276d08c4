// hostile: kill(0, SIGKILL): its own process group (itself included).
// verdicts: RE
// Expected: RE (SIGKILL); nothing outside the run dies.
#include <signal.h>
#include <stdio.h>
int main(void) {
    printf("3\n");
    fflush(stdout);
    kill(0, SIGKILL);
    return 0;
}
