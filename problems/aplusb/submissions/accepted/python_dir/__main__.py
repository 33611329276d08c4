import sys

from Adder import add

a, b = map(int, sys.stdin.read().split())
print(add(a, b))
