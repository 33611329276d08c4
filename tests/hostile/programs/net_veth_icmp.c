// hostile: pings 10.231.0.1 (a test host behind a veth pair, in a network
// namespace the test creates) with an unprivileged ICMP socket and with a raw
// socket, and waits for echo replies.
// verdicts: AC, RE
// Prints "FOUND:..." (so WA) if it got a raw socket or an echo reply; prints
// 3 (AC) otherwise. The test also asserts the host received no echo request.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
static unsigned short csum(const void* data, int len) {
    const unsigned short* p = data;
    unsigned long sum = 0;
    for (; len > 1; len -= 2) sum += *p++;
    if (len) sum += *(const unsigned char*)p;
    sum = (sum >> 16) + (sum & 0xffff);
    sum += sum >> 16;
    return (unsigned short)~sum;
}
static int ping(int type, int proto, const char* what) {
    int s = socket(AF_INET, type, proto);
    if (s < 0) return 0;
    int found = 0;
    if (type == SOCK_RAW) {
        printf("FOUND:raw-socket\n");
        found = 1;
    }
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    inet_pton(AF_INET, "10.231.0.1", &a.sin_addr);
    struct icmphdr h;
    memset(&h, 0, sizeof h);
    h.type = ICMP_ECHO;
    h.un.echo.id = htons(0x504a);
    h.un.echo.sequence = htons(1);
    h.checksum = csum(&h, sizeof h);
    if (sendto(s, &h, sizeof h, 0, (struct sockaddr*)&a, sizeof a) < 0) {
        close(s);
        return found;
    }
    char buf[512];
    struct pollfd p = {s, POLLIN, 0};
    if (poll(&p, 1, 700) == 1 && recv(s, buf, sizeof buf, 0) > 0) {
        printf("FOUND:echo-reply-via-%s\n", what);
        found = 1;
    }
    close(s);
    return found;
}
int main(void) {
    int found = ping(SOCK_DGRAM, IPPROTO_ICMP, "icmp-socket");
    found |= ping(SOCK_RAW, IPPROTO_ICMP, "raw-socket");
    if (!found) printf("3\n");
    return 0;
}
