// Burns CPU forever; the volatile counter keeps the loop from being optimised away.
#include <iostream>

int main() {
    long long a, b;
    std::cin >> a >> b;
    volatile unsigned long long counter = 0;
    for (;;) counter = counter + 1;
    std::cout << a + b << '\n';  // never reached
}
