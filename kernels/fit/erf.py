"""Coefficient tables of the `erf` kernel (kernels/src/math.rs): 24 intervals,
quarter binades from 1/16 up to 4 (erf(x) rounds to 1 from 3.9192 on); below
1/16 the kernel sums a short series instead, so the first row (index 0) is
zeros.
Degree 6: with degree 5 the fit alone is 0.37 ulp off on [2, 2.5]. See
intervals.py.

Usage: python3 kernels/fit/erf.py  (prints the `table(..)` arrays to paste)
"""

import math

import numpy as np

from intervals import print_tables

if __name__ == "__main__":
    print_tables(np.vectorize(math.erf), first_binade=-4, saturation=3.92, degree=6)
