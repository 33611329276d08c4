// hostile (compile): #include "/proc/self/environ": the compiler's
// environment, to be quoted in the diagnostics. The judge runs with a secret
// in its own environment (PJH_JUDGE_SECRET).
// verdicts: CE, AC
// Expected: CE, or AC: gcc sizes a file by stat() and /proc files claim 0
// bytes, so the include may come out empty and the program (which answers
// 3) compiles. Either way no secret of the judge's environment appears.
#include "/proc/self/environ"
#include <stdio.h>
int main(void) {
    printf("3\n");
    return 0;
}
