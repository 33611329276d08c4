#include <cstdint>
#include <iostream>

int main() {
    std::int64_t a, b;
    if (!(std::cin >> a >> b)) return 1;
    std::cout << a + b << '\n';
}
