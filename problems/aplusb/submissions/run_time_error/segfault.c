/* Writes through a null pointer: killed by SIGSEGV. Both the pointer and the
   pointee are volatile, otherwise GCC's points-to analysis deletes the store. */
#include <stdio.h>

int main(void) {
    long long a = 0, b = 0;
    if (scanf("%lld %lld", &a, &b) != 2) a = b = 0;
    volatile int *volatile p = NULL;
    *p = (int)(a + b);
    printf("%lld\n", a + b);
    return 0;
}
