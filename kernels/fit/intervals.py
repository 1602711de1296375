"""Per-interval polynomial tables for the table-driven kernels (tanh and erf
in kernels/src/math.rs, gelu_erf in kernels/src/activation.rs).

[0, saturation] is cut into [0, 2^first_binade], then quarter binades
[2^e (1 + j/4), 2^e (1 + (j+1)/4)], the interval of |x| found from its bit
pattern (`quarter_binade`). On each, a polynomial (degree 5 unless told) in
t = |x| - centre, fitted by relative least squares on Chebyshev nodes
(near-minimax), with the constant term split
hi + lo so that the final sum rounds once. On the first interval, [0, ..],
the constant term is 0 and the slope exact (t + t^3 (c3 + c5 t^2) for tanh).
"""

import numpy as np

QUARTERS = 4


def intervals(first_binade, saturation):
    out = [(0.0, 2.0**first_binade)]
    e = first_binade
    while 2.0**e < saturation:
        for j in range(QUARTERS):
            a = 2.0**e * (1 + j / QUARTERS)
            if a < saturation:
                out.append((a, 2.0**e * (1 + (j + 1) / QUARTERS)))
        e += 1
    return out


def fit(f, a, b, degree=5, first=None):
    """The interval's centre and coefficients. On the first interval, [0, ..],
    `first` is `(c1, powers)`: the slope at 0 (exact in f32) and the powers
    fitted to `f(t) - c1 t`, the constant term being 0."""
    centre = 0.0 if a == 0 else float(np.float32((a + b) / 2))
    lo, hi = a - centre, b - centre
    # Widened a hair: the index comes from the bit pattern converted to f32,
    # rounded to 24 bits, so inputs up to 64 ulps outside can land in it.
    pad = (hi - lo) * 1e-4
    lo, hi = lo - pad, hi + pad
    n = 64
    t = (lo + hi) / 2 + (hi - lo) / 2 * np.cos((2 * np.arange(n) + 1) * np.pi / (2 * n))
    y = f(centre + t)
    if a == 0:
        c1, powers = first
        target = y - c1 * t
    else:
        powers = list(range(degree + 1))
        target = y
    basis = np.vstack([t**p for p in powers]).T
    weight = 1 / np.abs(y)
    solved, *_ = np.linalg.lstsq(basis * weight[:, None], target * weight, rcond=None)
    coeffs = np.zeros(degree + 1)
    coeffs[powers] = solved
    if a == 0:
        coeffs[1] = c1
    return centre, coeffs


def print_tables(f, first_binade, saturation, first=None, degree=5):
    """Prints the `table(..)` arrays to paste. `first` as for `fit`; without
    it the first interval's row is zeros: the kernel computes it another way."""
    rows = {"centre": [], "c0_hi": [], "c0_lo": []} | {f"c{k}": [] for k in range(1, degree + 1)}
    for a, b in intervals(first_binade, saturation):
        if first is None and a == 0:
            centre, c = 0.0, np.zeros(degree + 1)
        else:
            centre, c = fit(f, a, b, degree, first)
        hi = np.float32(c[0])
        rows["centre"].append(np.float32(centre))
        rows["c0_hi"].append(hi)
        rows["c0_lo"].append(np.float32(c[0] - float(hi)))
        for k in range(1, degree + 1):
            rows[f"c{k}"].append(np.float32(c[k]))
    for name, values in rows.items():
        print(f"{name}: [{', '.join(str(v) for v in values)}]")
