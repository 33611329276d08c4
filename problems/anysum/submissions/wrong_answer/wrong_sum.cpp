// Wrong: prints 1 and n, whose sum is n + 1.
#include <iostream>

int main() {
    long long n;
    std::cin >> n;
    std::cout << 1 << ' ' << n << '\n';
}
