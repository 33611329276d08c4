// hostile: a huge static array (1 GiB of .bss, the classic `int a[300000000]`),
// touched page by page.
// verdicts: MLE, RE
// Expected: MLE or RE. Not IE: a binary too large to load is the
// submission's fault, not the judge's.
// (TLE is also fair if a time limit came first, i.e. the reported peak
// memory is still under the limit: first-touch page faults are slow on
// some VMs; the test checks that.)
#include <stdio.h>
static char big[1ull << 30];
int main(void) {
    for (unsigned long i = 0; i < sizeof big; i += 4096) big[i] = 1;
    printf("%d\n", big[12345 * 4096] + 2);
    return 0;
}
