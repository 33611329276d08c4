#include <cmath>
#include <cstdio>
#include <numbers>

int main() {
    double r;
    if (std::scanf("%lf", &r) != 1) return 1;
    std::printf("%.10f\n", std::numbers::pi * r * r);
}
