# Uses no CPU at all: sleeps forever, so only the wall-time limit can stop it.
import sys
import time

a, b = map(int, sys.stdin.read().split())
while True:
    time.sleep(3600)
print(a + b)
