// hostile: closes stdout (the judge sees EOF on it) and then hangs.
// verdicts: TLE
// Expected: TLE (wall time): EOF on stdout is not the end of the run.
#include <unistd.h>
int main(void) {
    close(1);
    for (;;) pause();
}
