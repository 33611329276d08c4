// legitimate: uses 200 MiB (malloc'd and touched) under the 256 MiB limit.
// verdicts: AC
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(void) {
    long a, b;
    if (scanf("%ld %ld", &a, &b) != 2) return 1;
    size_t n = 200u << 20;
    char* p = malloc(n);
    if (!p) return 2;
    memset(p, 1, n);
    __asm__ volatile("" : : "r"(p) : "memory");  // the memory really is touched
    long s = 0;
    for (size_t i = 0; i < n; i += 4096) s += p[i];
    printf("%ld\n", a + b + (s == (long)(n / 4096) ? 0 : 1));
    return 0;
}
