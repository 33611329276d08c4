import math
import sys

r = float(sys.stdin.read())
print(math.pi * r * r)
