// Allocates and touches 16 MiB at a time, up to 1 GiB in total, keeping every
// chunk, then prints the right answer. Resident memory crosses the 256 MiB
// limit long before the address-space backstop (2x the limit) is reached.
//
// The chunks are mapped with MAP_POPULATE (then memset) rather than faulted
// in page by page: on a virtual machine a page fault can cost several
// microseconds, i.e. ~3 ms of CPU per MiB, so touching 256+ MiB one page at
// a time takes about as long as the 1 s CPU limit and the verdict would race
// between MLE and TLE. Populating at mmap time keeps this well under 0.2 s.
#include <sys/mman.h>

#include <cstring>
#include <iostream>

static constexpr std::size_t kChunk = 16u << 20;
static constexpr int kChunks = 64;  // 64 * 16 MiB = 1 GiB
static char* volatile keep[kChunks];

int main() {
    long long a, b;
    std::cin >> a >> b;
    for (int i = 0; i < kChunks; ++i) {
        void* p = mmap(nullptr, kChunk, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        if (p == MAP_FAILED) break;  // address space exhausted: far past the limit already
        std::memset(p, i + 1, kChunk);
        keep[i] = static_cast<char*>(p);
    }
    long long sum = 0;
    for (int i = 0; i < kChunks; ++i)
        if (keep[i]) sum += keep[i][i * 4096 % kChunk];
    std::cout << a + b << '\n';
    std::cerr << sum << '\n';  // uses the memory so it cannot be elided
}
