"""Constants of the `exp` kernel (kernels/src/math.rs): x = m ln2/16 + r with
m = round(16 x / ln2), e^x = 2^floor(m/16) 2^((m mod 16)/16) e^r.

- `ln2/16` as c1 + rest: c1 with 12 significant bits, so `m c1` is exact
  for |m| < 4096 even without FMA (and `x - m c1` too, by Sterbenz); on CPUs
  the rest is one f32, in WGSL two parts (c2 with 12 bits, c3);
- 2^(j/16) for j in 0..16 as hi + lo (hi rounded to f32, lo the rest);
- e^r - 1 - r = r^2 (p2 + p3 r) on |r| <= ln2/32, fitted by Lawson's
  iteration (weighted least squares converging to minimax) on absolute
  error: 1.6e-9, 0.03 ulp of results in [1, 2), where Taylor's 1/2, 1/6 are
  off by 9.2e-9.

The same table serves `exp2` (x = m/16 + r, exact): its `(2^r - 1)/r` is
fitted last.

Usage: python3 kernels/fit/exp.py  (prints the constants to paste)
"""

import math

import numpy as np


def split(value, bits):
    scale = 2.0 ** (bits - 1 - math.floor(math.log2(value)))
    return round(value * scale) / scale


def lawson(f, basis, nodes, iterations=300):
    a = np.stack([b(nodes) for b in basis], 1)
    target = f(nodes)
    weight = np.ones_like(nodes)
    for _ in range(iterations):
        w = np.sqrt(weight)
        c, *_ = np.linalg.lstsq(a * w[:, None], target * w, rcond=None)
        error = np.abs(a @ c - target)
        weight = weight * error
        weight /= weight.sum()
    return c, error.max()


if __name__ == "__main__":
    ln2_16 = math.log(2) / 16
    c1 = split(ln2_16, 12)
    c2 = split(ln2_16 - c1, 12)
    print(f"16/ln2: {np.float32(16 / math.log(2))}")
    print(f"c1: {c1!r}  rest: {np.float32(ln2_16 - c1)}  c2: {c2!r}  c3: {np.float32(ln2_16 - c1 - c2)}")
    hi = [np.float32(2 ** (j / 16)) for j in range(16)]
    lo = [np.float32(2 ** (j / 16) - float(h)) for j, h in zip(range(16), hi)]
    print(f"hi: [{', '.join(str(v) for v in hi)}]")
    print(f"lo: [{', '.join(str(v) for v in lo)}]")
    bound = math.log(2) / 32 * 1.001
    nodes = np.cos(np.linspace(0, np.pi, 4001)) * bound
    (p2, p3), err = lawson(lambda r: np.expm1(r) - r, [lambda r: r**2, lambda r: r**3], nodes)
    print(f"p2: {np.float32(p2)}  p3: {np.float32(p3)}  (max error {err:.3g})")
    # exp2 (math.rs): x = m/16 + r exactly, |r| <= 1/32, 2^r - 1 = r q(r),
    # q of degree 2 fitted to (2^r - 1)/r on relative error of r q(r).
    bound = 1 / 32 * 1.001
    nodes = np.cos(np.linspace(0, np.pi, 4001)) * bound
    nodes = nodes[nodes != 0]
    (q1, q2, q3), err = lawson(
        lambda r: np.expm1(r * math.log(2)),
        [lambda r: r, lambda r: r**2, lambda r: r**3],
        nodes,
    )
    print(f"exp2 q: [{np.float32(q1)}, {np.float32(q2)}, {np.float32(q3)}]  (max error {err:.3g})")
