// hostile: looks for file descriptors beyond 0, 1, 2 inherited from the judge
// (a pipe end, the answer file, a socket, the judge's database).
// verdicts: AC
// Prints each one it finds (so WA); prints 3 (AC) if there are none.
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
int main(void) {
    int found = 0;
    for (int fd = 3; fd < 4096; ++fd) {
        if (fcntl(fd, F_GETFD) == -1) continue;
        char link[64], target[512];
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        ssize_t n = readlink(link, target, sizeof target - 1);
        target[n > 0 ? n : 0] = 0;
        printf("FOUND:fd%d->%s\n", fd, target);
        found = 1;
    }
    if (!found) printf("3\n");
    return 0;
}
