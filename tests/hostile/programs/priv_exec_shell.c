// hostile: exec of a shell (/bin/sh, /bin/bash, /usr/bin/sh) that would print
// "FOUND:shell-ran".
// verdicts: AC, RE
// Prints "FOUND:shell-ran" through the shell (so WA) if one ran; prints 3
// (AC) if every exec failed. Expected: exec fails, or RE (seccomp kill).
#include <stdio.h>
#include <unistd.h>
int main(void) {
    const char* shells[] = {"/bin/sh", "/bin/bash", "/usr/bin/sh", "/usr/bin/bash"};
    fflush(stdout);
    for (int i = 0; i < 4; ++i) execl(shells[i], "sh", "-c", "echo FOUND:shell-ran", (char*)0);
    printf("3\n");
    return 0;
}
