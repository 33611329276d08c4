// hostile: io_uring_setup (a second syscall path that a seccomp filter does
// not see).
// verdicts: AC, RE
// Prints "FOUND:io_uring" (so WA) if it got a ring; prints 3 (AC) if the call
// failed, or RE if a filter kills it.
#include <linux/io_uring.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(void) {
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    long fd = syscall(__NR_io_uring_setup, 4, &p);
    if (fd >= 0) {
        printf("FOUND:io_uring\n");
        return 0;
    }
    perror("io_uring_setup");
    printf("3\n");
    return 0;
}
