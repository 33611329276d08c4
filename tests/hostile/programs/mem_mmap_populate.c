// hostile: maps 64 MiB chunks with MAP_POPULATE (memory is resident at once,
// without the program touching it), forever.
// verdicts: MLE, RE
// Expected: MLE (or RE when a mapping fails first).
#include <stdio.h>
#include <sys/mman.h>
int main(void) {
    for (long i = 0;; ++i) {
        void* p = mmap(0, 64 << 20, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        if (p == MAP_FAILED) {
            fprintf(stderr, "mmap failed after %ld MiB\n", 64 * i);
            return 4;
        }
    }
}
