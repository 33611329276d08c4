// hostile: answers, then raise(SIGXCPU) after using no CPU to speak of.
// verdicts: RE
// Expected: RE, signal SIGXCPU: a self-sent SIGXCPU is not a TLE.
#include <signal.h>
#include <stdio.h>
int main(void) {
    printf("3\n");
    fflush(stdout);
    raise(SIGXCPU);
    return 0;
}
