// hostile: writes through a null pointer.
// verdicts: RE
// Expected: RE, signal SIGSEGV.
#include <stdio.h>
int main(void) {
    printf("3\n");
    fflush(stdout);
    volatile int* p = 0;
    *p = 1;
    return 0;
}
