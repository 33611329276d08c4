// hostile: std::vector push_back forever (capacity doubling: the peak holds
// the old and the new buffer).
// verdicts: MLE, RE
// Expected: MLE (or RE: std::bad_alloc).
// (TLE is also fair if a time limit came first, i.e. the reported peak
// memory is still under the limit: first-touch page faults are slow on
// some VMs; the test checks that.)
#include <vector>
int main() {
    std::vector<long long> v;
    for (long long i = 0;; ++i) v.push_back(i);
}
