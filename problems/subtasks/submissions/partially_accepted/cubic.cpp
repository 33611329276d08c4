// Right but O(n^3): sums every subarray from scratch. Fast enough for
// group 1 (n <= 100), far too slow for group 2.
#include <climits>
#include <cstdio>
#include <vector>

int main() {
    int n;
    if (std::scanf("%d", &n) != 1) return 1;
    std::vector<long long> a(n);
    for (auto& x : a)
        if (std::scanf("%lld", &x) != 1) return 1;
    long long best = LLONG_MIN;
    for (int i = 0; i < n; ++i)
        for (int j = i; j < n; ++j) {
            long long sum = 0;
            for (int k = i; k <= j; ++k) sum += a[k];
            if (sum > best) best = sum;
        }
    std::printf("%lld\n", best);
}
