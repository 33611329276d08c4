// hostile: writes to stdout forever.
// verdicts: OLE
// Expected: OLE, quickly (the judge stops reading one byte past the limit).
#include <string.h>
#include <unistd.h>
int main(void) {
    static char buf[1 << 16];
    memset(buf, 'y', sizeof buf);
    for (;;)
        if (write(1, buf, sizeof buf) < 0) return 1;
}
