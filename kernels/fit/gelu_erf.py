"""Coefficient tables of the `gelu_erf` kernel (kernels/src/activation.rs):
`E(a) = a Q(a) e^(a^2/2)`, with `Q(a) = erfc(a / sqrt 2) / 2` the upper tail of
the normal distribution, so that `gelu_erf(x) = max(x, 0) - E(|x|) e^(-x^2/2)`.
E is smooth (a/2 near 0, 1/sqrt(2 pi) for large a): 29 intervals, [0, 1/8]
(slope 1/2 there) then quarter binades up to 16 (gelu_erf(x) rounds to -0
below -14.6). See intervals.py.

Usage: python3 kernels/fit/gelu_erf.py  (prints the `table(..)` arrays to paste)
"""

import math

import numpy as np

from intervals import print_tables


def tail_ratio(a):
    return a * 0.5 * math.erfc(a / math.sqrt(2)) * math.exp(a * a / 2)


if __name__ == "__main__":
    print_tables(np.vectorize(tail_ratio), first_binade=-3, saturation=15.9, first=(0.5, [2, 3, 4, 5]))
