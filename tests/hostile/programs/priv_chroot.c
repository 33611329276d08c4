// hostile: chroot into its work directory (the first step of the classic
// chroot escape).
// verdicts: AC, RE
// Prints "FOUND:chroot" (so WA) if it worked; prints 3 (AC) otherwise.
#define _GNU_SOURCE
#include <stdio.h>
#include <unistd.h>
int main(void) {
    int found = 0;
    if (chroot(".") == 0) {
        printf("FOUND:chroot\n");
        found = 1;
    }
    if (!found) printf("3\n");
    return 0;
}
