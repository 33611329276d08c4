// hostile: infinite CPU loop.
// verdicts: TLE
// Expected: TLE on CPU time at about the 1 s limit.
int main(void) {
    volatile unsigned long x = 0;
    for (;;) x++;
}
