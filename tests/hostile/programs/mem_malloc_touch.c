// hostile: allocates 1 MiB blocks with malloc and touches every byte, forever.
// verdicts: MLE, RE
// Expected: MLE (or RE when an allocation fails first).
// (TLE is also fair if a time limit came first, i.e. the reported peak
// memory is still under the limit: first-touch page faults are slow on
// some VMs; the test checks that.)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(void) {
    for (long i = 0;; ++i) {
        char* p = malloc(1 << 20);
        if (!p) {
            fprintf(stderr, "malloc failed after %ld MiB\n", i);
            return 3;
        }
        memset(p, 1, 1 << 20);
        __asm__ volatile("" : : "r"(p) : "memory");  // the memory really is touched
    }
}
