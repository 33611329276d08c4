# Wrong: subtracts instead of adding.
import sys

a, b = map(int, sys.stdin.read().split())
print(a - b)
