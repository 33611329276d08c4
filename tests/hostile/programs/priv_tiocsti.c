// hostile: TIOCSTI: pushes "echo PJH-INJECTED" into the input of the judge's
// terminal (/dev/tty, and fds 0-2 if they are terminals). The test runs the
// judge with a pseudo-terminal of its own as controlling terminal.
// verdicts: AC, RE
// Prints "FOUND:..." (so WA) if a character was injected; prints 3 (AC)
// otherwise. The test also checks the terminal's input queue stays empty.
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>
static int inject(int fd) {
    const char* s = "echo PJH-INJECTED\n";
    int ok = 0;
    for (const char* c = s; *c; ++c)
        if (ioctl(fd, TIOCSTI, c) == 0) ok = 1;
    return ok;
}
int main(void) {
    int found = 0;
    int tty = open("/dev/tty", O_RDWR | O_NOCTTY);
    if (tty >= 0) {
        if (inject(tty)) {
            printf("FOUND:tiocsti-dev-tty\n");
            found = 1;
        }
        close(tty);
    }
    for (int fd = 0; fd < 3; ++fd)
        if (isatty(fd) && inject(fd)) {
            printf("FOUND:tiocsti-fd%d\n", fd);
            found = 1;
        }
    if (!found) printf("3\n");
    return 0;
}
