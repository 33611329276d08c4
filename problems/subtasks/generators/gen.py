#!/usr/bin/env python3
"""Writes the test data (.in and .ans) of the maximum subarray sum problem.

Run from anywhere: python3 generators/gen.py. The output is the same every
run (fixed seeds). Group 2 has n = 8000: milliseconds for an O(n) solution,
minutes for an O(n^3) one.
"""
import pathlib
import random


def max_subarray(a):
    best = ending_here = a[0]
    for x in a[1:]:
        ending_here = max(x, ending_here + x)
        best = max(best, ending_here)
    return best


def rand(seed, n, lo, hi):
    r = random.Random(seed)
    return [r.randint(lo, hi) for _ in range(n)]


TESTS = {
    "sample/1": [-2, 1, -3, 4, -1, 2, 1, -5, 4],
    "sample/2": [-3, -1, -2],
    "secret/group1/01_single": [-5],
    "secret/group1/02_all_negative": rand(12, 100, -100, -1),
    "secret/group1/03_random": rand(13, 100, -100, 100),
    "secret/group1/04_large": rand(14, 100, -10**9, 10**9),  # the sum needs 64 bits
    "secret/group2/01_random": rand(21, 8000, -1000, 1000),
    "secret/group2/02_all_negative": rand(22, 8000, -1000, -1),
    "secret/group2/03_large": rand(23, 8000, -10**9, 10**9),
}


def main():
    data = pathlib.Path(__file__).resolve().parent.parent / "data"
    for name, a in TESTS.items():
        answer = max_subarray(a)
        assert answer != 0, name  # so that printing 0 is wrong on every test
        assert 1 <= len(a) <= 10**5 and all(abs(x) <= 10**9 for x in a), name
        (data / (name + ".in")).write_text(f"{len(a)}\n{' '.join(map(str, a))}\n")
        (data / (name + ".ans")).write_text(f"{answer}\n")
        print(f"{name}: n={len(a)} answer={answer}")


if __name__ == "__main__":
    main()
