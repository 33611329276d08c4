// hostile: hides memory from per-process accounting (RSS, RLIMIT_AS) in
// memfds: 60 memfds x 7 MiB = 420 MiB written with write(), never mapped,
// kept open, under a 256 MiB limit.
// verdicts: MLE, RE, AC
// Prints "HID <n> MiB" (so WA) when all 420 MiB were stored; prints 3 (AC)
// when the judge refused the memory without killing it (write failed).
// Expected: MLE or RE (killed), or AC (refused). WA means it got away with it.
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
int main(void) {
    static char chunk[1 << 20];
    memset(chunk, 'm', sizeof chunk);
    signal(SIGXFSZ, SIG_IGN);
    long mib = 0;
    for (int f = 0; f < 60; ++f) {
        int fd = memfd_create("pjh-hidden", 0);
        if (fd < 0) break;
        for (int i = 0; i < 7; ++i) {
            if (write(fd, chunk, sizeof chunk) != (ssize_t)sizeof chunk) goto done;
            ++mib;
        }
    }
done:
    if (mib >= 420)
        printf("HID %ld MiB\n", mib);
    else
        printf("3\n");
    fprintf(stderr, "stored %ld MiB in memfds\n", mib);
    return 0;
}
