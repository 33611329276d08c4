// tricky: one byte over the output limit (1 MiB in the temporary package the
// test creates): "3\n" and 1048575 spaces.
// verdicts: OLE
#include <stdio.h>
int main(void) {
    fputs("3\n", stdout);
    for (long i = 0; i < (1 << 20) - 1; ++i) putchar(' ');
    return 0;
}
