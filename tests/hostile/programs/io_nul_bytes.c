// tricky: prints "3", a NUL byte and "4": the token is "3\0" "4", not "3".
// verdicts: WA
// Expected: WA (a checker working on C strings would wrongly see "3").
#include <stdio.h>
int main(void) {
    fwrite("3\0" "4\n", 1, 4, stdout);
    return 0;
}
