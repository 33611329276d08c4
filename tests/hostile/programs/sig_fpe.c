// hostile: integer division by zero (both operands unknown to the compiler,
// so the idiv instruction really runs).
// verdicts: RE
// Expected: RE, signal SIGFPE.
#include <stdio.h>
int main(void) {
    printf("3\n");
    fflush(stdout);
    volatile int num = 1000, zero = 0;
    int x = num / zero;
    printf("%d\n", x);
    return 0;
}
