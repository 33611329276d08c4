// hostile: fork bomb; every process forks forever and spins when fork fails.
// verdicts: TLE, RE, MLE
// Expected: TLE, RE or MLE; the machine stays responsive (process limit), the
// judge returns, and no process of the run is left afterwards.
#include <unistd.h>
int main(void) {
    for (;;) fork();
}
