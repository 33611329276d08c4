// hostile: child processes burn the CPU while the parent only waits for them
// (4 spinning children; the parent sleeps in waitpid).
// verdicts: TLE
// Expected: TLE on CPU time: the children's CPU time counts, not just a
// wall-time TLE because the parent sleeps. (Four children so that they get
// the limit's worth of CPU before the wall limit even on a busy machine.)
#include <sys/wait.h>
#include <unistd.h>
int main(void) {
    for (int i = 0; i < 4; ++i) {
        if (fork() == 0) {
            volatile unsigned long x = 0;
            for (;;) x = x + 1;
        }
    }
    while (wait(0) > 0) {
    }
    return 0;
}
