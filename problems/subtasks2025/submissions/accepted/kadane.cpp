// Kadane's algorithm, O(n): the best sum of a subarray ending at each index.
#include <algorithm>
#include <cstdio>

int main() {
    int n;
    if (std::scanf("%d", &n) != 1) return 1;
    long long best = 0, ending_here = 0;
    for (int i = 0; i < n; ++i) {
        long long a;
        if (std::scanf("%lld", &a) != 1) return 1;
        ending_here = i == 0 ? a : std::max(a, ending_here + a);
        best = i == 0 ? ending_here : std::max(best, ending_here);
    }
    std::printf("%lld\n", best);
}
