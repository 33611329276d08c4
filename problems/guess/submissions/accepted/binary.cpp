// Binary search: at most 30 queries for 1..10^9.
#include <iostream>
#include <string>

int main() {
    long long lo = 1, hi = 1000000000;
    while (lo <= hi) {
        long long mid = lo + (hi - lo) / 2;
        std::cout << "? " << mid << std::endl;  // std::endl flushes
        std::string reply;
        if (!(std::cin >> reply) || reply == "=") return 0;
        if (reply == "<") hi = mid - 1;
        else lo = mid + 1;
    }
}
