// hostile: answers, then raise(SIGXFSZ) without writing any file.
// verdicts: RE
// Expected: RE, signal SIGXFSZ (not OLE).
#include <signal.h>
#include <stdio.h>
int main(void) {
    printf("3\n");
    fflush(stdout);
    raise(SIGXFSZ);
    return 0;
}
