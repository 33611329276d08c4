// Binary search: at most 10 queries for 1..1000.
#include <cstdio>
#include <cstring>

int main() {
    int lo = 1, hi = 1000;
    char reply[16];
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        std::printf("? %d\n", mid);
        std::fflush(stdout);
        if (std::scanf("%15s", reply) != 1 || std::strcmp(reply, "=") == 0) return 0;
        if (reply[0] == '<') hi = mid - 1;
        else lo = mid + 1;
    }
}
