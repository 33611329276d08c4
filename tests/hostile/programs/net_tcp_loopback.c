// hostile: opens a TCP connection to the judge machine's loopback (127.0.0.1:47311, a server the
// test itself runs), sends a probe and reads what the server says (a secret).
// verdicts: AC, RE
// Prints what it received or "FOUND:connected" (so WA); prints 3 (AC) if it
// could not connect. Expected: AC (or RE): no network.
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
int main(void) {
    int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (s < 0) {
        printf("3\n");
        return 0;
    }
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(47311);
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    int r = connect(s, (struct sockaddr*)&a, sizeof a);
    if (r != 0 && errno == EINPROGRESS) {
        struct pollfd p = {s, POLLOUT, 0};
        int err = 0;
        socklen_t len = sizeof err;
        if (poll(&p, 1, 700) == 1 && getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) r = 0;
    }
    if (r != 0) {
        printf("3\n");
        return 0;
    }
    const char* probe = "PJH-PROBE net_tcp_loopback.c\n";
    if (write(s, probe, strlen(probe)) < 0) {}
    char buf[256];
    struct pollfd p = {s, POLLIN, 0};
    ssize_t n = poll(&p, 1, 700) == 1 ? read(s, buf, sizeof buf - 1) : 0;
    buf[n > 0 ? n : 0] = 0;
    for (ssize_t i = 0; i < n; ++i)
        if (buf[i] == '\n' || buf[i] == ' ') buf[i] = '_';
    printf("%s FOUND:connected\n", n > 0 ? buf : "");
    return 0;
}
