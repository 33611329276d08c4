// hostile: spreads memory over processes: 3 children each map (populated) and hold
// 150 MiB (450 MiB in total under a 256 MiB limit; each alone is under it).
// Peak RSS of the largest process (rusage) misses the sum.
// verdicts: MLE, RE, AC
// Prints "HID 450 MiB" (so WA) when all three children held their memory at
// the same time; prints 3 (AC) if the judge refused some of it.
// Expected: MLE or RE, or AC (refused). WA means it got away with it.
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void) {
    int fds[2];
    if (pipe(fds) != 0) return 1;
    pid_t kids[3];
    for (int i = 0; i < 3; ++i) {
        kids[i] = fork();
        if (kids[i] == 0) {
            // MAP_POPULATE: resident at once (and fast even where page faults are slow)
            char* p = mmap(0, 150 << 20, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
            char ok = p != MAP_FAILED;
            if (write(fds[1], &ok, 1) != 1) _exit(1);
            for (;;) pause();
        }
    }
    int held = 0;
    for (int i = 0; i < 3; ++i) {
        char ok = 0;
        if (read(fds[0], &ok, 1) == 1 && ok) ++held;
    }
    if (held == 3)
        printf("HID 450 MiB\n");
    else
        printf("3\n");
    fflush(stdout);
    for (int i = 0; i < 3; ++i) kill(kids[i], SIGKILL);
    for (int i = 0; i < 3; ++i) waitpid(kids[i], 0, 0);
    return 0;
}
