// hostile (compile): template explosion: 2^40 distinct instantiations
// (depth 40, well under -ftemplate-depth, so no early error).
// verdicts: CE
// Expected: CE when the compiler hits its CPU/memory limit; the judge returns.
#include <cstdio>
template <int D, unsigned long long I>
struct T {
    static constexpr unsigned long long v = T<D - 1, 2 * I>::v + T<D - 1, 2 * I + 1>::v;
};
template <unsigned long long I>
struct T<0, I> {
    static constexpr unsigned long long v = I & 1;
};
int main() { std::printf("%llu\n", T<40, 1>::v); }
