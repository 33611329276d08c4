// Asks one question, reads the reply, then burns CPU forever; the volatile
// counter keeps the loop from being optimised away.
#include <iostream>
#include <string>

int main() {
    std::cout << "? 500000000" << std::endl;
    std::string reply;
    std::cin >> reply;
    volatile unsigned long long counter = 0;
    for (;;) counter = counter + 1;
}
