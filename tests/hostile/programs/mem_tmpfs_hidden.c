// hostile: hides memory in files on tmpfs (/dev/shm, else /tmp, else the work
// directory): 60 files x 7 MiB = 420 MiB, left behind, under a 256 MiB limit.
// verdicts: MLE, RE, AC
// Prints "HID <n> MiB" (so WA) when all 420 MiB were stored; prints 3 (AC)
// when the judge refused it (a write failed) without killing it.
// Expected: MLE or RE (killed), or AC (refused); the files are gone after
// the run either way.
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(void) {
    static char chunk[1 << 20];
    memset(chunk, 't', sizeof chunk);
    signal(SIGXFSZ, SIG_IGN);
    const char* dirs[] = {"/dev/shm", "/tmp", "."};
    long mib = 0;
    int f = 0;
    for (int d = 0; d < 3 && mib < 420; ++d) {
        for (; f < 60 && mib < 420; ++f) {
            char path[256];
            snprintf(path, sizeof path, "%s/pjh-w-hidden-%d", dirs[d], f);
            int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
            if (fd < 0) break;
            int ok = 1;
            for (int i = 0; i < 7 && ok; ++i) {
                if (write(fd, chunk, sizeof chunk) == (ssize_t)sizeof chunk)
                    ++mib;
                else
                    ok = 0;
            }
            close(fd);
            if (!ok) break;
        }
    }
    if (mib >= 420)
        printf("HID %ld MiB\n", mib);
    else
        printf("3\n");
    fprintf(stderr, "stored %ld MiB in tmpfs files\n", mib);
    return 0;
}
