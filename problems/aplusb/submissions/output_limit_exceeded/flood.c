/* Writes "1" to stdout forever (well past any output limit). */
#include <stdio.h>
#include <string.h>

int main(void) {
    static char buf[1 << 16];
    memset(buf, '1', sizeof buf);
    for (;;) {
        if (fwrite(buf, 1, sizeof buf, stdout) != sizeof buf) return 1;
    }
}
