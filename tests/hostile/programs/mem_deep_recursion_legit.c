// legitimate: deep recursion using about 150 MiB of stack (1.2 million frames)
// under the 256 MiB memory limit; the stack size follows the memory setting.
// verdicts: AC
// Expected: AC (a judge with an 8 MiB stack would give RE: SIGSEGV).
#include <stdio.h>
__attribute__((noinline)) static long rec(long n) {
    volatile char frame[96];
    frame[0] = 0;
    if (n == 0) return 0;
    return rec(n - 1) + frame[0];
}
int main(void) {
    long a, b;
    if (scanf("%ld %ld", &a, &b) != 2) return 1;
    printf("%ld\n", a + b + rec(1200000));
    return 0;
}
