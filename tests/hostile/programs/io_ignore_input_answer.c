// tricky: never reads its 64 MiB input, answers 3 and exits (the judge is
// still writing the input into the pipe).
// verdicts: AC
// Judged on a temporary package whose input is "1 2" followed by 64 MiB.
#include <stdio.h>
int main(void) {
    printf("3\n");
    return 0;
}
