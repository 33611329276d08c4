// hostile: creates empty files in its work directory until an error, up to
// 100000 (inodes are memory on tmpfs and disk space elsewhere).
// verdicts: AC, RE, TLE
// Prints "UNBOUNDED 100000 files" (so WA) if nothing stopped it; prints 3
// (AC) if a quota or limit refused a file first. Expected: AC, RE or TLE;
// the files are gone after the run.
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
int main(void) {
    int n = 0;
    for (; n < 100000; ++n) {
        char name[64];
        snprintf(name, sizeof name, "pjh-w-many-%d", n);
        int fd = open(name, O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd < 0) break;
        close(fd);
    }
    fprintf(stderr, "created %d files\n", n);
    if (n >= 100000)
        printf("UNBOUNDED %d files\n", n);
    else
        printf("3\n");
    return 0;
}
