// legitimate: reserves a 4 GiB sparse mapping (MAP_NORESERVE, as runtimes and
// hash tables do) and touches only 16 MiB of it.
// verdicts: AC
// Expected: AC: memory in use is what counts, not address space.
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
int main(void) {
    long a, b;
    if (scanf("%ld %ld", &a, &b) != 2) return 1;
    size_t size = 4ull << 30;
    char* p = mmap(0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        perror("mmap 4 GiB sparse");
        return 1;
    }
    memset(p, 1, 16 << 20);
    __asm__ volatile("" : : "r"(p) : "memory");  // the memory really is touched
    for (size_t off = 0; off < size; off += 256ull << 20) p[off] = 1;
    printf("%ld\n", a + b + p[0] - 1);
    return 0;
}
