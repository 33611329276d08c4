# Wrong: always prints 0 (right only when the best sum happens to be 0).
import sys

sys.stdin.read()
print(0)
