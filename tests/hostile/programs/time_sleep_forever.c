// hostile: sleeps forever without using any CPU.
// verdicts: TLE
// Expected: TLE on wall time; the judge returns within about 2x the limit.
#include <unistd.h>
int main(void) {
    for (;;) pause();
}
