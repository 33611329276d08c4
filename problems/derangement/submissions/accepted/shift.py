# Shifts every number one place: 2 3 ... n 1.
n = int(input())
print(*range(2, n + 1), 1)
