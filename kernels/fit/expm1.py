"""Constants of the `expm1` kernel's small-argument polynomial
(kernels/src/math.rs, `expm1_small`): for |x| <= 0.35,
e^x - 1 = x + x^2/2 + x^3 s(x), s of degree 4, fitted by Lawson's iteration
(exp.py) on the error relative to e^x - 1, so that the polynomial's part of
the result's error stays near 2^-32.

Usage: python3 kernels/fit/expm1.py  (prints the constants to paste)
"""

import numpy as np

from exp import lawson

if __name__ == "__main__":
    bound = 0.35 * 1.001
    nodes = np.cos(np.linspace(0, np.pi, 4001)) * bound
    nodes = nodes[np.abs(nodes) > 1e-6]
    scale = np.abs(np.expm1(nodes))
    basis = [lambda x, n=n: x**n / np.abs(np.expm1(x)) for n in range(3, 8)]
    coefficients, err = lawson(lambda x: (np.expm1(x) - x - x * x / 2) / scale, basis, nodes)
    print(f"s: [{', '.join(str(np.float32(c)) for c in coefficients)}]  (max relative error {err:.3g})")
