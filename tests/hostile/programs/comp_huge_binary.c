// hostile (compile): a multi-GB binary: a 3 GiB initialised array makes a
// 3 GiB object file.
// verdicts: CE
// Expected: CE within the compile limits (file size, disk), not AC and not
// a full disk.
#include <stdio.h>
char big[3ull << 30] = {1};
int main(void) {
    printf("%d\n", big[0] + 2);
    return 0;
}
