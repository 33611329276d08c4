# Binary search: at most 30 queries for 1..10^9.
import sys

lo, hi = 1, 10**9
while lo <= hi:
    mid = (lo + hi) // 2
    print("?", mid, flush=True)
    reply = sys.stdin.readline().strip()
    if reply in ("=", ""):  # found, or the judge is gone
        break
    if reply == "<":
        hi = mid - 1
    else:
        lo = mid + 1
