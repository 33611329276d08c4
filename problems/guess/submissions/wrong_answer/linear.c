/* Wrong: guesses 1, 2, 3, ... and runs out of queries for any secret above 32. */
#include <stdio.h>
#include <string.h>

int main(void) {
    char reply[16];
    for (long long y = 1; y <= 1000000000; ++y) {
        printf("? %lld\n", y);
        fflush(stdout);
        if (scanf("%15s", reply) != 1 || strcmp(reply, "=") == 0) break;
    }
    return 0;
}
