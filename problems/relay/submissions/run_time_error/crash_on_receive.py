# The first pass is fine; the second raises.
import sys

phase, value = sys.stdin.read().split()
if phase == "send":
    print(len(value))
else:
    raise ValueError("cannot decode " + value)
