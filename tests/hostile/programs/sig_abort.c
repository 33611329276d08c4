// hostile: answers, then abort().
// verdicts: RE
// Expected: RE, signal SIGABRT.
#include <stdio.h>
#include <stdlib.h>
int main(void) {
    printf("3\n");
    fflush(stdout);
    abort();
}
