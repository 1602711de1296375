//! Activation functions. `silu` and `gelu` call `exp` and `sigmoid`: the calls
//! are inlined into one pass over memory (fusion).

use simdwise_macros::kernel;

use crate::math::{
    exp, exp_hi, exp_k, exp_lo, exp_neg_wide, exp16_m, exp16_poly, exp16_r, expm1, log1p_c, pow2_hi, pow2_lo,
    quarter_binade, sigmoid_d, sigmoid_d_lo, sigmoid_e_k, sigmoid_hi, sigmoid_k, sigmoid_lo, sigmoid_n, sigmoid_n_lo,
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

/// `x * sigmoid(x)`: on targets with FMA `2^k (x n) / d` with sigmoid's
/// numerator and denominator ([`sigmoid_q`](fn@crate::parts::sigmoid_q)), `x
/// n` exact (`mul_lo`), the quotient refined by its remainder and rounded
/// once; where that product's rounding error could be subnormal (|x| <
/// 2^-60) or x < -80 (rare), and on SSE2 and scalar code, `x / (1 + e^-x)` in
/// f64 lanes, rounded once. The shader computes in f32: the product with
/// sigmoid's unrounded value `2^k (hi + lo)` as an exact sum (`mul_lo`), the
/// power of two applied last, so the result is rounded once there too,
/// subnormal results (x < -87) included.
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
    let w = widen(xc);
    let wide = rare(abs(x) < 2.3509887e-38, half_up(x), narrow(w / (1.0 + exp_neg_wide(w))));
    // x itself: the lanes where the clamp matters are replaced. The
    // quotient of x n (exact, as hi + lo) by d, as in `sigmoid`.
    let n = sigmoid_n(x);
    let xn = x * n;
    let xn_lo = fma(x, sigmoid_n_lo(x), mul_lo(x, n));
    let y = recip(sigmoid_d(x));
    let q = xn * y;
    let rem = fma(-q, sigmoid_d(x), xn) + fma(-q, sigmoid_d_lo(x), xn_lo);
    let common = fma(rem, y, q) * pow2i(floor(sigmoid_e_k(x)));
    // The remainder is exact only where `fma` rounds once. `-abs(x)` as in
    // `sigmoid_e_t`, which computes it anyway.
    let cpu = with_fma(rare(x < -80.0 || -abs(x) > -8.6736174e-19, wide, common), wide);
    // The shader's f32 formulation.
    let hi = sigmoid_hi(xc);
    let m = xc * hi;
    let m_lo = mul_lo(xc, hi) + xc * sigmoid_lo(xc);
    // The sign of x, also for ±0 (where m + m_lo would be +0).
    let y = copysign(m + m_lo, x);
    select(x > 20.0, x, with_f64(cpu, ldexp(y, sigmoid_k(xc))))
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

/// GELU, exact form: `x Phi(x) = 0.5 x (1 + erf(x / sqrt 2))`, as
/// `max(x, 0) - E(|x|) e^(-x^2/2)` where `E(a) = a Q(a) e^(a^2/2)` and
/// `Q(a) = 1 - Phi(a)` is the normal tail: one smooth function for both signs,
/// with no cancellation (for x > 0 the subtracted term is at most x/2).
/// `E` is table-driven like [`tanh`](fn@crate::tanh) (29 intervals of |x|, a
/// degree-5 polynomial each, kept as hi + lo; coefficients from
/// `kernels/fit/gelu_erf.py`); `e^(-x^2/2)` from the table-driven `exp`'s
/// parts with `x^2` exact and unrounded (hi + lo); their product exact
/// (`mul_lo`), and the power of two applied last, so the result is rounded
/// about once, subnormals included (where `x/2` is subnormal, it is rounded
/// with ties broken by the `x^2` term).
///
/// ```
/// let mut out = [0.0; 2];
/// simdwise::gelu_erf(&[0.0, 1.0], &mut out)?;
/// assert_eq!(out[0], 0.0);
/// assert!((out[1] - 0.8413447).abs() <= f32::EPSILON);
/// # Ok::<(), simdwise::KernelError>(())
/// ```
#[kernel(max_ulp = 1)]
pub fn gelu_erf(x: f32) -> f32 {
    // From 15.875 on the tail term is far below half an ulp of the result (x
    // or -0); NaN stays NaN (the constant comes first in `min`).
    let a = min(15.875, abs(x));
    let i = quarter_binade(a, 0.125);
    let centre = table(
        i,
        [
            0.0, 0.140625, 0.171875, 0.203125, 0.234375, 0.28125, 0.34375, 0.40625, 0.46875, 0.5625, 0.6875, 0.8125,
            0.9375, 1.125, 1.375, 1.625, 1.875, 2.25, 2.75, 3.25, 3.75, 4.5, 5.5, 6.5, 7.5, 9.0, 11.0, 13.0, 15.0,
        ],
    );
    let c5 = table(
        i,
        [
            0.054947753, 0.04386947, 0.040596243, 0.037585173, 0.03481321, 0.031079812, 0.026734248, 0.023037529,
            0.019886779, 0.016022839, 0.012059091, 0.009135826, 0.0069654197, 0.004705287, 0.002833954, 0.0017455155,
            0.0010979901, 0.0005722218, 0.00025286726, 0.00011916945, 5.9449994e-05, 2.3281951e-05, 7.5590956e-06,
            2.8119819e-06, 1.1673093e-06, 3.7427878e-07, 1.0059087e-07, 3.2986016e-08, 1.2546043e-08,
        ],
    );
    let c4 = table(
        i,
        [
            -0.13220035, -0.0960131, -0.08941958, -0.08331627, -0.077664144, -0.06996845, -0.06095742, -0.05319868,
            -0.046506565, -0.03815958, -0.02945234, -0.022877181, -0.017880058, -0.01252172, -0.007918278,
            -0.005116049, -0.0033728378, -0.0018812369, -0.0009082907, -0.00046581874, -0.00025189, -0.00011041185,
            -4.1206305e-05, -1.7390848e-05, -8.097117e-06, -3.023194e-06, -9.708016e-07, -3.7107344e-07,
            -1.6139458e-07,
        ],
    );
    let c3 = table(
        i,
        [
            0.24996765, 0.18621038, 0.17462695, 0.1638366, 0.1537805, 0.13995586, 0.12362262, 0.10938075, 0.096941166,
            0.08113185, 0.064347275, 0.05135226, 0.041227832, 0.029979339, 0.019982304, 0.013594925, 0.0094277365,
            0.0056268037, 0.0029884833, 0.0016778, 0.0009884645, 0.00048272865, 0.00020896835, 0.000100717094,
            5.285044e-05, 2.2746923e-05, 8.805879e-06, 3.945237e-06, 1.969444e-06,
        ],
    );
    let c2 = table(
        i,
        [
            -0.39894184, -0.3076587, -0.2907509, -0.27489138, -0.26000857, -0.23937216, -0.21469685, -0.19288307,
            -0.17356652, -0.14859845, -0.1214568, -0.09986562, -0.082584746, -0.06274614, -0.044295877, -0.031878248,
            -0.023352956, -0.015093483, -0.008870128, -0.005479048, -0.0035320083, -0.0019552566, -0.0009841402,
            -0.00054268347, -0.00032139508, -0.00016241851, -7.551743e-05, -3.9567032e-05, -2.263635e-05,
        ],
    );
    let c1 = table(
        i,
        [
            0.5, 0.40126377, 0.3825691, 0.36489806, 0.34818736, 0.32479405, 0.29644665, 0.27100068, 0.24812189,
            0.21798834, 0.1843624, 0.15679848, 0.13407119, 0.107018866, 0.08056948, 0.061724804, 0.04804678,
            0.03389474, 0.022239266, 0.015227057, 0.010807044, 0.006831822, 0.0040266463, 0.002553136, 0.001712707,
            0.0010201643, 0.00057144946, 0.000350819, 0.0002303078,
        ],
    );
    let c0_lo = table(
        i,
        [
            0.0, 3.5318553e-09, -1.2978049e-09, -2.3537876e-09, 6.664661e-10, 3.029952e-09, -5.885225e-09,
            1.851582e-09, 5.4108686e-09, 5.0014157e-09, -3.1898206e-11, -5.0651945e-09, 2.48412e-09, -5.161931e-09,
            1.2168417e-08, -8.10363e-09, -4.1623114e-09, -5.904329e-09, 1.0772905e-09, 1.1342231e-08, -8.626843e-09,
            1.0910828e-08, 7.952633e-09, 9.683041e-09, -6.48894e-09, 8.909923e-09, -4.411967e-09, -1.2052054e-09,
            5.790628e-09,
        ],
    );
    let c0_hi = table(
        i,
        [
            0.0, 0.06306972, 0.075314365, 0.08699096, 0.098130494, 0.11389594, 0.13329366, 0.15101218, 0.16722219,
            0.18903455, 0.21411087, 0.23537725, 0.25351164, 0.27599782, 0.29925475, 0.31691256, 0.33054543, 0.34571686,
            0.35949302, 0.3687192, 0.37514704, 0.38161525, 0.3868848, 0.39010188, 0.39219823, 0.3941891, 0.3957238,
            0.3966224, 0.39719233,
        ],
    );
    let t = a - centre;
    let q = fma(fma(fma(c5, t, c4), t, c3), t, c2) * t;
    // E = e_hi + e_lo: c0_hi + c1 t summed exactly (Fast2Sum: |c1 t| < c0_hi,
    // or c0_hi = 0 on the first interval, where c1 t = t/2 is exact).
    let lin = c1 * t;
    let e_hi = c0_hi + lin;
    let e_lo = ((c0_hi - e_hi) + lin) + (mul_lo(c1, t) + fma(q, t, c0_lo));
    // e^(u + u_lo) = 2^k (s_hi + s_lo), with u + u_lo = -a^2/2 exactly.
    let u = -0.5 * (a * a);
    let u_lo = -0.5 * mul_lo(a, a);
    let m = exp16_m(u);
    let k = floor(m * 0.0625);
    let s_hi = pow2_hi(m);
    let s_lo = fma(s_hi, exp16_poly(exp16_r(u) + u_lo), pow2_lo(m));
    // E e^(-a^2/2) / 2^k = p + p_lo.
    let p = e_hi * s_hi;
    let p_lo = fma(e_hi, s_lo, fma(e_lo, s_hi + s_lo, mul_lo(e_hi, s_hi)));
    // x > 0: x - p 2^k, the difference summed exactly (Fast2Sum, p 2^k <= x/2).
    // Where 2^k < 2^-60 (x > 9.1), p 2^k is far below half an ulp of x; the
    // floor keeps p 2^k normal for every lane (no subnormal products, which
    // x86 runs as microcode assists).
    let xc = min(x, 15.875);
    let scale = pow2i(floor(max(-60.0, m * 0.0625)));
    let d = p * scale;
    let s = xc - d;
    let positive = select(x > 15.875, x, s + (((xc - s) - d) - p_lo * scale));
    let negative = -ldexp(p + p_lo, k);
    let r = copysign(select(x > 0.0, positive, negative), x);
    rare(abs(x) < 2.3509887e-38, half_up(x), r)
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
