"""Coefficient tables of the `tanh` kernel (kernels/src/math.rs): 30
intervals, [0, 1/16] then quarter binades up to 9.02 (tanh(x) rounds to 1 above
9.0109); see intervals.py.

Usage: python3 kernels/fit/tanh.py  (prints the `table(..)` arrays to paste)
"""

import numpy as np

from intervals import print_tables

if __name__ == "__main__":
    print_tables(np.tanh, first_binade=-4, saturation=9.02, first=(1.0, [3, 5]))
