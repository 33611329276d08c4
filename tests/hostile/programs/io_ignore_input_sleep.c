// hostile: never reads its 64 MiB input and sleeps (the judge's input pipe
// stays full).
// verdicts: TLE
// Judged on a temporary package whose input is "1 2" followed by 64 MiB.
// Expected: TLE (wall time); no deadlock in the judge.
#include <unistd.h>
int main(void) {
    for (;;) pause();
}
