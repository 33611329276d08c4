#!/usr/bin/env python3
"""Writes the test data of the circle problem (run from anywhere).

Answers are computed exactly in decimal arithmetic (pi to 50 digits) and
printed with 12 decimals, so they do not depend on binary floating point.
"""
import decimal
import pathlib

PI = decimal.Decimal("3.14159265358979323846264338327950288419716939937510")

TESTS = {
    "sample/1": "1",
    "sample/2": "2.5",
    "secret/01_zero": "0",
    "secret/02_tiny": "0.000123",
    "secret/03_fraction": "7.123456",
    "secret/04_large": "1000",
    "secret/05_odd": "314.159265",
}


def main():
    decimal.getcontext().prec = 60
    data = pathlib.Path(__file__).resolve().parent.parent / "data"
    for name, r in TESTS.items():
        rd = decimal.Decimal(r)
        assert 0 <= rd <= 1000, name
        area = (PI * rd * rd).quantize(decimal.Decimal("1e-12"), rounding=decimal.ROUND_HALF_EVEN)
        (data / (name + ".in")).write_text(r + "\n")
        (data / (name + ".ans")).write_text(f"{area:f}\n")
        print(f"{name}: r={r} area={area:f}")


if __name__ == "__main__":
    main()
