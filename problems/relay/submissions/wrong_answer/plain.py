# Sends the word itself, which is not a number: rejected in the first pass.
import sys

phase, value = sys.stdin.read().split()
print(value)
