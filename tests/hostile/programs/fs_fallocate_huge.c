// hostile: fallocate()s a 64 GiB file (then 1 GiB) in its work directory,
// /tmp, /var/tmp and /dev/shm, ignoring SIGXFSZ, and leaves the files.
// verdicts: AC, RE
// Prints "FOUND:..." (so WA) for every allocation of 1 GiB or more that
// succeeded; prints 3 (AC) if all were refused. Expected: AC or RE; the files
// are gone after the run.
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
int main(void) {
    signal(SIGXFSZ, SIG_IGN);
    const char* dirs[] = {".", "/tmp", "/var/tmp", "/dev/shm"};
    int found = 0;
    for (int i = 0; i < 4; ++i) {
        char path[256];
        snprintf(path, sizeof path, "%s/pjh-w-falloc", dirs[i]);
        int fd = open(path, O_RDWR | O_CREAT, 0600);
        if (fd < 0) continue;
        long long sizes[] = {64ll << 30, 1ll << 30};
        for (int s = 0; s < 2; ++s) {
            if (fallocate(fd, 0, 0, sizes[s]) == 0) {
                printf("FOUND:fallocated %lld bytes at %s\n", sizes[s], path);
                found = 1;
                break;
            }
        }
        close(fd);
    }
    if (!found) printf("3\n");
    return 0;
}
