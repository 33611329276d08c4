# Wrong: a correct pair followed by a third number.
n = int(input())
print(1, n - 1)
print(0)
