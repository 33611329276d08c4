// Shifts every number one place: 2 3 ... n 1.
#include <iostream>
#include <string>

int main() {
    int n;
    if (!(std::cin >> n)) return 1;
    std::string out;
    for (int i = 2; i <= n; ++i) out += std::to_string(i) + ' ';
    out += "1\n";
    std::cout << out;
}
