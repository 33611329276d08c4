// legitimate-ish: writes a 4 MiB burst of debug output to stderr, then the
// right answer (4 MiB + 2 bytes is under the 8 MiB output limit).
// verdicts: AC
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(void) {
    static char buf[1 << 16];
    memset(buf, 'd', sizeof buf);
    for (int i = 0; i < 64; ++i)
        if (write(2, buf, sizeof buf) != (ssize_t)sizeof buf) return 1;
    long a, b;
    if (scanf("%ld %ld", &a, &b) != 2) return 1;
    printf("%ld\n", a + b);
    return 0;
}
