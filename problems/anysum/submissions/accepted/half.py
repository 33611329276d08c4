# Splits n into two halves as equal as possible.
n = int(input())
print(n // 2, n - n // 2)
