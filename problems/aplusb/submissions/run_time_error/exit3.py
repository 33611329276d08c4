# Prints the right answer but exits with status 3: a run-time error.
import sys

a, b = map(int, sys.stdin.read().split())
print(a + b)
sys.exit(3)
