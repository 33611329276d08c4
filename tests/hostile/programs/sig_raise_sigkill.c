// hostile: answers, then raise(SIGKILL).
// verdicts: RE
// Expected: RE, signal SIGKILL.
#include <signal.h>
#include <stdio.h>
int main(void) {
    printf("3\n");
    fflush(stdout);
    raise(SIGKILL);
    return 0;
}
