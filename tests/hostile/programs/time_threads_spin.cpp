// hostile: eight threads spin; CPU time must be summed over all threads.
// verdicts: TLE
// Expected: TLE on CPU time (reached after ~limit/ncpus of wall time), never
// judged on the main thread's time alone.
#include <thread>
#include <vector>
int main() {
    std::vector<std::thread> ts;
    for (int i = 0; i < 8; ++i)
        ts.emplace_back([] { volatile unsigned long x = 0; for (;;) x = x + 1; });
    for (auto& t : ts) t.join();
}
