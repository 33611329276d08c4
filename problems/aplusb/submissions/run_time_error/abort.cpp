// Throws an exception nobody catches: std::terminate -> abort -> SIGABRT.
#include <iostream>
#include <stdexcept>

int main() {
    long long a, b;
    std::cin >> a >> b;
    throw std::runtime_error("uncaught");
    std::cout << a + b << '\n';  // never reached
}
