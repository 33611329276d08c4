// tricky: the same 10 MiB token as io_long_line_match, except that its very
// last byte differs.
// verdicts: WA
#include <stdio.h>
int main(void) {
    static char buf[10 << 20];
    for (long i = 0; i < (long)sizeof buf; ++i) buf[i] = (char)('a' + i % 26);
    buf[sizeof buf - 1] = '0';
    fwrite(buf, 1, sizeof buf, stdout);
    return 0;
}
