#!/usr/bin/env python3
"""Compares the numbers `actc --eval` printed (stdin) with expected values.

Usage: check_values.py [--ulp N] EXPECTED...

Each expected value is a number, `nan`, `inf`, `-inf`, or a signed zero
(`-0`, `+0`: the sign must match; a bare `0` accepts either). Numbers match
within N float32 ulps of max(|expected|, 2^-126), the forward bound of the
accuracy contract (default 2).
"""
import math
import struct
import sys


def ulp(value):
    """The float32 unit in the last place at |value| (normals, or 2^-149)."""
    value = max(abs(value), 2.0 ** -126)
    exponent = math.frexp(value)[1] - 1
    return 2.0 ** (exponent - 23)


def as_float32(text):
    return struct.unpack("f", struct.pack("f", float(text)))[0]


def matches(actual, expected, ulps):
    if expected == "nan":
        return math.isnan(actual)
    if expected in ("inf", "-inf"):
        return actual == float(expected)
    if expected in ("-0", "+0"):
        return actual == 0 and math.copysign(1, actual) == float(expected + "1")
    want = float(expected)
    if math.isinf(actual) or math.isnan(actual):
        return False
    return abs(actual - want) <= ulps * ulp(want)


def main(argv):
    ulps = 2.0
    if len(argv) >= 2 and argv[0] == "--ulp":
        ulps, argv = float(argv[1]), argv[2:]
    actual = sys.stdin.read().split()
    if len(actual) != len(argv):
        print(f"expected {len(argv)} values, got {len(actual)}: {actual}")
        return 1
    failures = 0
    for i, (got, want) in enumerate(zip(actual, argv)):
        value = as_float32(got)
        if not matches(value, want, ulps):
            print(f"value {i}: got {got}, expected {want} (within {ulps:g} ulp)")
            failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
