# Python 3 under the .py3 extension (PyPy 3 unless the site chooses CPython).
import sys

a, b = map(int, sys.stdin.read().split())
print(a + b)
