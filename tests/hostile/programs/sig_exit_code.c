// hostile: answers, then exits with status 42.
// verdicts: RE
// Expected: RE with exit code 42 in the report.
#include <stdio.h>
int main(void) {
    printf("3\n");
    return 42;
}
