# Wrong: guesses 1, 2, 3, ... and runs out of queries for any secret above 10.
import sys

for y in range(1, 1001):
    print("?", y, flush=True)
    reply = sys.stdin.readline().strip()
    if reply in ("=", ""):  # found, or the judge is gone
        break
