# Input validator: two integers a and b, -10^9 <= a, b <= 10^9, separated by
# whitespace (the whitespace test is deliberately loose). Exit 42: valid.
import sys

tokens = sys.stdin.read().split()
if len(tokens) != 2:
    print(f"expected 2 integers, found {len(tokens)} tokens", file=sys.stderr)
    sys.exit(43)
for t in tokens:
    try:
        v = int(t)
    except ValueError:
        print(f"not an integer: {t!r}", file=sys.stderr)
        sys.exit(43)
    if not -10**9 <= v <= 10**9:
        print(f"out of range: {v}", file=sys.stderr)
        sys.exit(43)
sys.exit(42)
