# Recurses without end: Python stops it with a RecursionError (exit code 1),
# whose name must reach the verdict's reason.
import sys


def add(a, b):
    return add(a, b) + 0


a, b = map(int, sys.stdin.read().split())
print(add(a, b))
