// hostile (compile): #include </dev/urandom>: an endless, binary "header".
// verdicts: CE
// Expected: CE within the compile limits, without hanging.
#include </dev/urandom>
int main(void) { return 0; }
