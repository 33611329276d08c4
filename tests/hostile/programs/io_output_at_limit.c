// tricky: output of exactly the limit (1 MiB in the temporary package the
// test creates): "3\n" and 1048574 spaces.
// verdicts: AC
#include <stdio.h>
int main(void) {
    fputs("3\n", stdout);
    for (long i = 0; i < (1 << 20) - 2; ++i) putchar(' ');
    return 0;
}
