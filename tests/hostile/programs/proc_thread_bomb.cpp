// hostile: thread bomb: creates sleeping threads until creation fails, then
// spins in the main thread.
// verdicts: RE, MLE, TLE
// Expected: RE, MLE or TLE; the judge and the machine survive.
#include <unistd.h>
#include <cstdio>
#include <thread>
#include <vector>
int main() {
    std::vector<std::thread> ts;
    try {
        for (;;) ts.emplace_back([] { for (;;) pause(); });
    } catch (...) {
    }
    std::fprintf(stderr, "created %zu threads\n", ts.size());
    volatile unsigned long x = 0;
    for (;;) x = x + 1;
}
