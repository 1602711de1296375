"""Coefficient tables of the `tanh` kernel (kernels/src/math.rs).

tanh on [0, 9.02] is cut into 30 intervals: [0, 1/16], then quarter binades
[2^e (1 + j/4), 2^e (1 + (j+1)/4)] for e = -4..3, the interval of |x| found from
its bit pattern. On each, a degree-5 polynomial in t = |x| - centre, fitted by
relative least squares on Chebyshev nodes (near-minimax), with the constant term
split hi + lo so that the final sum rounds once. The first interval is odd:
t + t^3 (c3 + c5 t^2).

Usage: python3 kernels/fit/tanh.py  (prints the `table(..)` arrays to paste)
"""

import numpy as np

DEGREE = 5
QUARTERS = 4
FIRST_BINADE = -4
SATURATION = 9.02  # tanh(x) rounds to 1 above 9.0109


def intervals():
    out = [(0.0, 2.0**FIRST_BINADE)]
    e = FIRST_BINADE
    while 2.0**e < SATURATION:
        for j in range(QUARTERS):
            a = 2.0**e * (1 + j / QUARTERS)
            if a < SATURATION:
                out.append((a, 2.0**e * (1 + (j + 1) / QUARTERS)))
        e += 1
    return out


def fit(a, b):
    centre = 0.0 if a == 0 else float(np.float32((a + b) / 2))
    lo, hi = a - centre, b - centre
    # Widened a hair: the index comes from the bit pattern converted to f32,
    # rounded to 24 bits, so inputs up to 64 ulps outside can land in it.
    pad = (hi - lo) * 1e-4
    lo, hi = lo - pad, hi + pad
    n = 64
    t = (lo + hi) / 2 + (hi - lo) / 2 * np.cos((2 * np.arange(n) + 1) * np.pi / (2 * n))
    y = np.tanh(centre + t)
    if a == 0:
        powers = list(range(3, DEGREE + 1, 2))
        target = y - t
    else:
        powers = list(range(DEGREE + 1))
        target = y
    basis = np.vstack([t**p for p in powers]).T
    weight = 1 / np.abs(y)
    solved, *_ = np.linalg.lstsq(basis * weight[:, None], target * weight, rcond=None)
    coeffs = np.zeros(DEGREE + 1)
    coeffs[powers] = solved
    if a == 0:
        coeffs[1] = 1.0
    return centre, coeffs


def main():
    rows = {"centre": [], "c0_hi": [], "c0_lo": []} | {f"c{k}": [] for k in range(1, DEGREE + 1)}
    for a, b in intervals():
        centre, c = fit(a, b)
        hi = np.float32(c[0])
        rows["centre"].append(np.float32(centre))
        rows["c0_hi"].append(hi)
        rows["c0_lo"].append(np.float32(c[0] - float(hi)))
        for k in range(1, DEGREE + 1):
            rows[f"c{k}"].append(np.float32(c[k]))
    for name, values in rows.items():
        print(f"{name}: [{', '.join(str(v) for v in values)}]")


if __name__ == "__main__":
    main()
