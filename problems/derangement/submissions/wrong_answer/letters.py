# Wrong output format: letters instead of numbers. The checker reports a
# presentation error (testlib's "wrong output format").
n = int(input())
print(" ".join(["a"] * n))
