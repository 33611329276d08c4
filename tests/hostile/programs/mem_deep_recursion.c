// hostile: unbounded recursion with 1 KiB frames (stack overflow).
// verdicts: RE, MLE
// Expected: RE (SIGSEGV at the stack limit) or MLE (the stack is resident).
// (TLE is also fair if a time limit came first, i.e. the reported peak
// memory is still under the limit: first-touch page faults are slow on
// some VMs; the test checks that.)
#include <stdio.h>
__attribute__((noinline)) static long rec(long n) {
    volatile char frame[1024];
    frame[0] = (char)n;
    return rec(n + 1) + frame[0];
}
int main(void) {
    long n = 0;
    if (scanf("%ld", &n) != 1) n = 1;
    printf("%ld\n", rec(n));
    return 0;
}
