//! Activation functions. `silu` and `gelu` call `exp` and `sigmoid`: the calls
//! are inlined into one pass over memory (fusion).

use simdwise_macros::kernel;

use crate::math::{
    erf_c1, erfc_v, erfc_v0, exp, exp_hi, exp_k, exp_lo, exp_neg_wide, expm1, log1p_c, sigmoid_hi, sigmoid_k,
    sigmoid_lo,
};

/// `max(x, 0)`, exact; NaN stays NaN and `-0.0` becomes `0.0`.
///
/// ```
/// let mut out = [0.0; 3];
/// simdwise::relu(&[-1.0, 0.5, 2.0], &mut out)?;
/// assert_eq!(out, [0.0, 0.5, 2.0]);
/// # Ok::<(), simdwise::KernelError>(())
/// ```
#[kernel]
pub fn relu(x: f32) -> f32 {
    max(x, 0.0)
}

/// `x` for positive inputs, `alpha * x` otherwise, exact. `alpha` is a scalar
/// parameter: one value for the whole call.
///
/// ```
/// let mut out = [0.0; 2];
/// simdwise::leaky_relu(&[-2.0, 3.0], 0.1, &mut out)?;
/// assert_eq!(out, [-0.2, 3.0]);
/// # Ok::<(), simdwise::KernelError>(())
/// ```
#[kernel]
pub fn leaky_relu(x: f32, #[scalar] alpha: f32) -> f32 {
    select(x > 0.0, x, alpha * x)
}

/// `x/2` rounded with ties upward: for |x| < 2^-125, where `x/2` is
/// subnormal, the value of `x/2 + c x^2` for any small `c > 0` (silu, gelu,
/// hardswish), whose `c x^2` breaks the ties that f64 lanes cannot see:
/// `floor((n + 1) / 2)` units for `x = n 2^-149`, computed without leaving the
/// subnormal range (n even: x/2 is exact; n odd: (x + 2^-149)/2 is exact).
#[kernel]
pub(crate) fn half_up(x: f32) -> f32 {
    let half = x * 0.5;
    // The sign of x also where -2^-149 rounds to zero.
    copysign(select(half * 2.0 == x, half, (x + 1e-45) * 0.5), x)
}

/// `x * sigmoid(x)`: on CPU targets `x / (1 + e^-x)` in f64 lanes, rounded
/// once. The shader computes in f32: the product with sigmoid's unrounded
/// value `2^k (hi + lo)` as an exact sum (`mul_lo`), the power of two applied
/// last, so the result is rounded once there too, subnormal results (x < -87)
/// included.
///
/// ```
/// let y = simdwise::silu::scalar(1.0);
/// assert!((y - 1.0 / (1.0 + (-1.0f32).exp())).abs() <= f32::EPSILON);
/// ```
#[kernel(max_ulp = 1)]
pub fn silu(x: f32) -> f32 {
    // From 20 on silu(x) rounds to x, below -120 to -0; the clamp keeps inf
    // out of the exact product.
    let xc = clamp(x, -120.0, 20.0);
    let hi = sigmoid_hi(xc);
    let m = xc * hi;
    let m_lo = mul_lo(xc, hi) + xc * sigmoid_lo(xc);
    // The sign of x, also for ±0 (where m + m_lo would be +0).
    let y = copysign(m + m_lo, x);
    let w = widen(xc);
    let wide = rare(abs(x) < 2.3509887e-38, half_up(x), narrow(w / (1.0 + exp_neg_wide(w))));
    select(x > 20.0, x, with_f64(wide, ldexp(y, sigmoid_k(xc))))
}

/// GELU, tanh approximation: `0.5 x (1 + tanh(u))`, `u = sqrt(2/pi) (x + 0.044715 x^3)`,
/// computed as the identical `x * sigmoid(2u)`, which does not cancel for
/// negative `x` the way `1 + tanh(u)` does. `2u` reaches ~100 in magnitude
/// where the result is still normal, so it is computed as an unevaluated sum
/// `t + t_lo` (exact products via `mul_lo`, constants split in two f32),
/// `sigmoid(t + t_lo) = s (1 + t_lo (1 - s))` with `s = sigmoid(t)` kept as
/// `2^k (hi + lo)`, and the product with `x` is rounded once, as in `silu`.
/// On CPU targets all of that is `x / (1 + e^-2u)` in f64 lanes, rounded once.
///
/// ```
/// let mut out = [0.0; 2];
/// simdwise::gelu(&[0.0, 3.0], &mut out)?;
/// assert_eq!(out[0], 0.0);
/// assert!((out[1] - 2.9963627).abs() < 1e-5);
/// # Ok::<(), simdwise::KernelError>(())
/// ```
#[kernel(max_ulp = 2)]
pub fn gelu(x: f32) -> f32 {
    // gelu rounds to x from 10 on and to -0 below -20; the clamp keeps the
    // exact products finite.
    let xc = clamp(x, -20.0, 10.0);
    let x2 = xc * xc;
    let x2_lo = mul_lo(xc, xc);
    let x3 = x2 * xc;
    let x3_lo = fma(x2_lo, xc, mul_lo(x2, xc));
    // 2 sqrt(2/pi) and 2 sqrt(2/pi) 0.044715, each as high + low f32 parts.
    let a = 1.5957692 * xc;
    let a_lo = fma(-4.534068e-8, xc, mul_lo(1.5957692, xc));
    let b = 0.071354814 * x3;
    let b_lo = fma(2.3988325e-9, x3, fma(0.071354814, x3_lo, mul_lo(0.071354814, x3)));
    // t + t_lo = a + b + a_lo + b_lo, with the rounding error of a + b recovered.
    let t = a + b;
    let t_lo = add_lo(a, b) + a_lo + b_lo;
    let hi = sigmoid_hi(t);
    let k = sigmoid_k(t);
    let one_minus_s = 1.0 - hi * pow2i(max(k, -126.0));
    let lo = fma(hi * one_minus_s, t_lo, sigmoid_lo(t));
    let m = xc * hi;
    let m_lo = mul_lo(xc, hi) + xc * lo;
    let y = copysign(m + m_lo, x);
    let w = widen(xc);
    let wide = narrow(w / (1.0 + exp_neg_wide(w * fma(w * w, 0.07135481627260025, 1.5957691216057308))));
    let wide = rare(abs(x) < 2.3509887e-38, half_up(x), wide);
    select(x > 10.0, x, with_f64(wide, ldexp(y, k)))
}

/// GELU, exact form: `x Phi(x) = 0.5 x (1 + erf(x / sqrt 2))`. Below
/// |x| = 1.3037, `Phi = 0.5 + 0.5 erf(y)` with `y = x / sqrt 2` as an exact
/// sum `y + y_lo`; above, `x Phi(x) = x - E` for positive and `-E` for
/// negative x, with `E = 0.5 |x| erfc(|y|) = e^(V(1/|y|) - x^2/2)`
/// ([`erfc_v0`](fn@erfc_v0)): `x^2` exact, the exponent an exact sum, its power
/// of two applied last, so the result is rounded once, subnormals included.
/// The worst case is just below the switch (x near -1.3), where
/// `0.5 + 0.5 erf(y)` cancels to 0.1 and the rounding of `y c(y^2)` shows.
///
/// ```
/// let mut out = [0.0; 2];
/// simdwise::gelu_erf(&[0.0, 1.0], &mut out)?;
/// assert_eq!(out[0], 0.0);
/// assert!((out[1] - 0.8413447).abs() <= f32::EPSILON);
/// # Ok::<(), simdwise::KernelError>(())
/// ```
#[kernel(max_ulp = 2)]
pub fn gelu_erf(x: f32) -> f32 {
    // Below -14.6 the result rounds to -0, above 14.6 to x.
    let xc = clamp(x, -14.6, 14.6);
    // 1/sqrt(2) = 0.70710677 + 1.2101617e-8.
    let y = xc * 0.70710677;
    let y_lo = fma(xc, 1.2101617e-8, mul_lo(xc, 0.70710677));
    let t = y * y;
    // erf's slope 2/sqrt(pi) e^-t carries y_lo into the sum.
    let slope = poly(t, [1.1283792, -1.1283792, 0.5641896, -0.18806319]);
    let half_y = 0.5 * y;
    let phi = 0.5 + half_y;
    // c = c0 + t erf_c1(t) with the last step summed exactly (without FMA its
    // rounding would show here), and corrected by c'(t) times t's rounding error.
    let c1 = erf_c1(t);
    let tc1 = c1 * t;
    let c = 0.12837917 + tc1;
    let dc = poly(t, [-0.37612635, 0.2256740, -0.0805791, 0.0208068]);
    let c_lo = (add_lo(0.12837917, tc1) + mul_lo(c1, t)) + dc * mul_lo(y, y);
    let phi_lo = ((0.5 - phi) + half_y) + 0.5 * fma(y, c, fma(y, c_lo, y_lo * slope));
    // phi_lo is as large as phi where 0.5 + 0.5y cancels: renormalise the pair
    // first, so that the product's small part rounds far below an ulp.
    let p = phi + phi_lo;
    let p_lo = add_lo(phi, phi_lo);
    let small = xc * p + (mul_lo(xc, p) + xc * p_lo);
    // a + a_lo = V(z) - x^2/2: x^2 exact, its sum with V's constant exact
    // (TwoSum), the small rest of V added and the pair renormalised (Fast2Sum).
    let z = 1.0 / abs(y);
    let h = -0.5 * (xc * xc);
    let v0 = erfc_v0(z);
    let s = h + v0;
    let s_lo = add_lo(h, v0) + (erfc_v(z) - 0.5 * mul_lo(xc, xc));
    let a = s + s_lo;
    let a_lo = (s - a) + s_lo;
    // e^(a + a_lo) = 2^k (hi + lo) (1 + a_lo).
    let k = exp_k(a);
    let e_hi = exp_hi(a);
    let e = e_hi + fma(e_hi, a_lo, exp_lo(a));
    // Where 2^k < 2^-126, E is far below half an ulp of x.
    let positive = x - e * pow2i(max(k, -126.0));
    let negative = ldexp(-e, k);
    let large = select(x > 0.0, positive, negative);
    copysign(select(abs(y) < 0.921875, small, large), x)
}

/// `log(1 + e^x)`, as `max(x, 0) + log(1 + e)`, `e = e^-|x|`, which neither
/// overflows nor loses the small result for very negative `x`: `e` from the
/// parts of `e^x`, `1 + e` as an exact sum, its logarithm as `j ln2 + f +
/// log1p_c(f)` with `f` exact, and the sum with `max(x, 0)` exact, so the
/// result is rounded once. Below -10 a short series in `e` replaces the
/// logarithm, below -17 the result is `e^x` itself.
///
/// ```
/// assert!((simdwise::softplus::scalar(0.0) - std::f32::consts::LN_2).abs() <= f32::EPSILON);
/// assert_eq!(simdwise::softplus::scalar(100.0), 100.0);
/// assert!(simdwise::softplus::scalar(-100.0) > 0.0);
/// ```
#[kernel(max_ulp = 1)]
pub fn softplus(x: f32) -> f32 {
    // Past ±17, log(1 + e) is below half an ulp of x, or e^x is the result.
    let t = max(-abs(x), -17.0);
    let scale = pow2i(exp_k(t));
    let a = exp_hi(t) * scale;
    let u = 1.0 + a;
    let u_lo = ((1.0 - u) + a) + exp_lo(t) * scale;
    // log(u + u_lo) = log(u) + w - w^2/2 with w = u_lo / u, and u = 2^j (1 + f).
    let high = u > 1.41421356;
    let f = select(high, u * 0.5, u) - 1.0;
    let j_ln2 = select(high, 0.693145751953125, 0.0);
    let w = u_lo / u;
    let l = j_ln2 + f;
    let l_lo = ((j_ln2 - l) + f) + (select(high, 1.42860677e-6, 0.0) + log1p_c(f) + fma(-0.5 * w, w, w));
    let p = max(x, 0.0);
    let s = p + l;
    let s_lo = add_lo(p, l) + l_lo;
    // Below -10, where u - 1 and u_lo would cancel: log(1 + e) = e - e^2/2 + e^3/3.
    let series = a + fma(a * a, fma(a, 0.33333334, -0.5), exp_lo(t) * scale);
    let l = select(x < -10.0, series, s + s_lo);
    select(x > 17.0, x, rare(x < -17.0, exp(x), l))
}

/// ELU: `x` for positive inputs, `alpha (e^x - 1)` otherwise, through `expm1`
/// so that small negative inputs keep their precision.
///
/// ```
/// let mut out = [0.0; 2];
/// simdwise::elu(&[2.0, -50.0], 1.0, &mut out)?;
/// assert_eq!(out, [2.0, -1.0]);
/// # Ok::<(), simdwise::KernelError>(())
/// ```
#[kernel(max_ulp = 2)]
pub fn elu(x: f32, #[scalar] alpha: f32) -> f32 {
    select(x > 0.0, x, alpha * expm1(x))
}

/// Hard swish, `x * clamp(x + 3, 0, 6) / 6`, correctly rounded (verified over
/// all 2^32 inputs on every variant). On CPU targets in f64 lanes: `x (x + 3)`
/// is exact there for |x| >= 1/16, and its product with the f64 nearest 1/6
/// (2^-54 below it) rounds to the exact quotient whenever that is a double, so
/// the one rounding to f32 is correct. Below |x| = 2^-125 the result is
/// `x/2 + x^2/6` on the subnormal grid, where `x^2/6` breaks ties upward: an
/// added 2^-160, far below what could move a normal result across a rounding
/// boundary, does that in f64 (the shader uses [`half_up`](fn@half_up)). The
/// shader computes in f32: `x + 3` and its product with `x` as exact sums, the
/// division by 6 corrected by its remainder, and the last bit of a near-tie
/// settled by the sign of the exact residual.
///
/// ```
/// assert_eq!(simdwise::hardswish::scalar(4.0), 4.0);
/// assert_eq!(simdwise::hardswish::scalar(-4.0), 0.0);
/// assert_eq!(simdwise::hardswish::scalar(1.0), 4.0 / 6.0);
/// assert_eq!(simdwise::hardswish::scalar(f32::from_bits(1)), f32::from_bits(1));
/// ```
#[kernel]
pub fn hardswish(x: f32) -> f32 {
    // + 2^-160: subnormal ties upward (see above).
    let w = widen(x);
    let wide = narrow(fma(w * (w + 3.0), 0.16666666666666666, 6.842277657836021e-49));
    let wide = select(x >= 3.0 || x == 0.0, x, select(x <= -3.0, -0.0, wide));
    // The shader's f32 formulation.
    let s = x + 3.0;
    let s_lo = add_lo(x, 3.0);
    let p = x * s;
    // x (x + 3) = p + xs_lo + xss_lo + xss_lo2, exactly.
    let xs_lo = mul_lo(x, s);
    let xss_lo = x * s_lo;
    let p_lo = xs_lo + xss_lo;
    let q = p / 6.0;
    let rem = ((p - q * 6.0) - mul_lo(q, 6.0)) + p_lo;
    let c = q + rem / 6.0;
    // `rem / 6` rounds, so c may be the far neighbour of a near-tie. The exact
    // residual x (x + 3) - 6c decides: beyond ±3 ulps (half an ulp of c, times
    // 6) the nearest float is the next one that way. Each comparison subtracts
    // the threshold from the large part first, so that the sums that follow
    // cancel exactly and the sign is right even a hair from the tie.
    // (Below 2^-103 the ulp is over-stated and no correction happens.)
    let ulp = pow2i(max(exponent(c) - 23.0, -126.0));
    let r = (p - c * 6.0) - mul_lo(c, 6.0);
    let xss_lo2 = mul_lo(x, s_lo);
    let above = (((r - 3.0 * ulp) + xs_lo) + xss_lo) + xss_lo2;
    let below = (((r + 3.0 * ulp) + xs_lo) + xss_lo) + xss_lo2;
    let mid = select(above > 0.0, c + ulp, select(below < 0.0, c - ulp, c));
    let mid = copysign(select(abs(x) < 2.3509887e-38, half_up(x), mid), x);
    with_f64(wide, select(x >= 3.0, x, select(x <= -3.0, -0.0, mid)))
}
