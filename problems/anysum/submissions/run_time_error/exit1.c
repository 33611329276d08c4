/* Prints a correct pair but exits with status 1: a run-time error. */
#include <stdio.h>

int main(void) {
    long long n;
    if (scanf("%lld", &n) != 1) return 1;
    printf("1 %lld\n", n - 1);
    return 1;
}
