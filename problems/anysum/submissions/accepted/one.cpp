// Always 1 and n - 1.
#include <iostream>

int main() {
    long long n;
    if (!(std::cin >> n)) return 1;
    std::cout << 1 << ' ' << n - 1 << '\n';
}
