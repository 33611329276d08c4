// tricky: echoes its 8 MiB input back 4 KiB at a time while still reading it
// (deadlocks a judge that writes all input before reading any output).
// verdicts: AC
// Judged on a temporary package whose answer is its input.
#include <unistd.h>
int main(void) {
    static char buf[4096];
    for (;;) {
        ssize_t n = read(0, buf, sizeof buf);
        if (n == 0) return 0;
        if (n < 0) return 1;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(1, buf + off, n - off);
            if (w <= 0) return 1;
            off += w;
        }
    }
}
