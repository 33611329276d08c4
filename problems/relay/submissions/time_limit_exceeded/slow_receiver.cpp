// Sends at once, but the second pass never ends: the time limit holds per pass.
#include <iostream>
#include <string>

int main() {
  std::string phase, value;
  std::cin >> phase >> value;
  if (phase == "send") {
    unsigned long long n = 0;
    for (char c : value) n = n * 27 + static_cast<unsigned>(c - 'a' + 1);
    std::cout << n % 1000 << "\n";
    return 0;
  }
  volatile unsigned long long spin = 0;
  for (;;) ++spin;
}
