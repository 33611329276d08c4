// Wrong: off by one whenever the sum is negative (a botched "rounding"
// step). Passes both samples, fails the secret tests with a negative sum.
#include <iostream>

int main() {
    long long a, b;
    std::cin >> a >> b;
    long long s = a + b;
    if (s < 0) s += 1;
    std::cout << s << '\n';
}
