// hostile: connects to an abstract unix socket (@pjh-judge) that the test runs as
// a stand-in for the judge's control socket (mode 0777), and reads what it
// says (a secret).
// verdicts: AC, RE
// Prints what it received or "FOUND:connected" (so WA); prints 3 (AC) if it
// could not connect. Expected: AC (or RE).
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
int main(void) {
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    if (s < 0) {
        printf("3\n");
        return 0;
    }
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    const char name[] = "\0pjh-judge";
    memcpy(a.sun_path, name, sizeof name - 1);
    socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + sizeof name - 1);
    if (connect(s, (struct sockaddr*)&a, len) != 0) {
        printf("3\n");
        return 0;
    }
    if (write(s, "PJH-PROBE\n", 10) < 0) {}
    char buf[256];
    struct pollfd p = {s, POLLIN, 0};
    ssize_t n = poll(&p, 1, 700) == 1 ? read(s, buf, sizeof buf - 1) : 0;
    buf[n > 0 ? n : 0] = 0;
    for (ssize_t i = 0; i < n; ++i)
        if (buf[i] == '\n' || buf[i] == ' ') buf[i] = '_';
    printf("%s FOUND:connected\n", n > 0 ? buf : "");
    return 0;
}
