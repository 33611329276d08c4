# The word as a number in base 27 (a=1 ... z=26), and back.
import sys

phase, value = sys.stdin.read().split()
if phase == "send":
    n = 0
    for c in value:
        n = n * 27 + ord(c) - ord("a") + 1
    print(n)
else:
    n, word = int(value), []
    while n:
        n, d = divmod(n, 27)
        word.append(chr(ord("a") + d - 1))
    print("".join(reversed(word)))
