// Wrong: only 2 decimals, so the error is far above the 1e-6 tolerance
// (e.g. r = 1 prints 3.14).
#include <cstdio>
#include <numbers>

int main() {
    double r;
    if (std::scanf("%lf", &r) != 1) return 1;
    std::printf("%.2f\n", std::numbers::pi * r * r);
}
