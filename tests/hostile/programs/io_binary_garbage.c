// tricky: prints 4 KiB of binary garbage (NULs, 0xff, invalid UTF-8), then 3.
// verdicts: WA
// Expected: WA, and the JSON report stays valid.
#include <stdio.h>
int main(void) {
    unsigned x = 12345;
    for (int i = 0; i < 4096; ++i) {
        x = x * 1103515245u + 12345u;
        putchar((int)((x >> 16) & 0xff));
    }
    printf("\n3\n");
    return 0;
}
