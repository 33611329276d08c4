// The word as a number in base 27 (a=1 ... z=26), and back; 27^20 < 2^128.
#include <iostream>
#include <string>

using u128 = unsigned __int128;

int main() {
  std::string phase, value;
  std::cin >> phase >> value;
  if (phase == "send") {
    u128 n = 0;
    for (char c : value) n = n * 27 + static_cast<unsigned>(c - 'a' + 1);
    std::string digits;
    do {
      digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(n % 10)));
      n /= 10;
    } while (n);
    std::cout << digits << "\n";
  } else {
    u128 n = 0;
    for (char c : value) n = n * 10 + static_cast<unsigned>(c - '0');
    std::string word;
    for (; n; n /= 27) word.insert(word.begin(), static_cast<char>('a' + static_cast<int>(n % 27) - 1));
    std::cout << word << "\n";
  }
}
