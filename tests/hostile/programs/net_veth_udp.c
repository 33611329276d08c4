// hostile: sends a UDP datagram to a test host behind a veth pair (10.231.0.1:47314, a server the
// test itself runs, which answers with a secret) and waits for the answer.
// verdicts: AC, RE
// Prints the answer (so WA) if one came; prints 3 (AC) otherwise. The test
// also asserts that the server received nothing.
// Expected: AC (or RE): no network.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
int main(void) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0) {
        printf("3\n");
        return 0;
    }
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(47314);
    inet_pton(AF_INET, "10.231.0.1", &a.sin_addr);
    const char* probe = "PJH-PROBE net_veth_udp.c\n";
    for (int i = 0; i < 3; ++i)
        if (sendto(s, probe, strlen(probe), 0, (struct sockaddr*)&a, sizeof a) < 0) break;
    char buf[256];
    struct pollfd p = {s, POLLIN, 0};
    ssize_t n = poll(&p, 1, 700) == 1 ? recv(s, buf, sizeof buf - 1, 0) : 0;
    if (n <= 0) {
        printf("3\n");
        return 0;
    }
    buf[n] = 0;
    for (ssize_t i = 0; i < n; ++i)
        if (buf[i] == '\n' || buf[i] == ' ') buf[i] = '_';
    printf("%s FOUND:udp-answer\n", buf);
    return 0;
}
