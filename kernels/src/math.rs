//! Transcendental functions. Each is range reduction plus a short polynomial,
//! written in the kernel language so one definition serves every target.

use kernel_macros::kernel;

/// `k = round(x log2(e))`: the power of two in `e^x = 2^k (exp_hi(x) + exp_lo(x))`.
///
/// `exp_k`, `exp_r`, `exp_head`, `exp_tail`, `exp_hi` and `exp_lo` are the parts of [`exp`](fn@exp) for
/// kernels that need `e^x` beyond f32 precision (tanh, sigmoid, erf, ...): the
/// unevaluated sum `exp_hi + exp_lo` is within 2^-31 of `e^x / 2^k` for
/// |x| <= 104 (callers clamp). Once inlined, the parts share their work.
///
/// ```
/// let x = 3.0f32;
/// use kernels::parts::{exp_hi, exp_k, exp_lo};
/// let parts = exp_hi::scalar(x) * 2f32.powf(exp_k::scalar(x));
/// assert_eq!(parts, kernels::exp::scalar(x));
/// ```
#[kernel]
pub fn exp_k(x: f32) -> f32 {
    round(x * 1.44269504)
}

/// `r = x - k ln2_hi`, exact: `k` has at most 8 significant bits and ln2's high
/// part 15. A part of `exp`; see [`exp_k`](fn@exp_k).
#[kernel]
pub fn exp_r(x: f32) -> f32 {
    fma(exp_k(x), -0.693145751953125, x)
}

/// `1 + r + r^2/2` rounded: the leading terms of `e^x / 2^k`. A part of
/// `exp`; see [`exp_k`](fn@exp_k).
#[kernel]
pub fn exp_head(x: f32) -> f32 {
    let r = exp_r(x);
    (1.0 + r) + 0.5 * (r * r)
}

/// `e^x / 2^k - exp_head(x)`, to 2^-31: what rounding the head lost (two
/// Fast2Sums and the exact low part of `r^2`), `r^3 Q(r)` with a degree-4
/// minimax `Q`, and the low part of `k ln2`. A part of `exp`; see
/// [`exp_k`](fn@exp_k).
#[kernel]
pub fn exp_tail(x: f32) -> f32 {
    let r = exp_r(x);
    let one_r = 1.0 + r;
    let half_r2 = 0.5 * (r * r);
    let lost = (((1.0 - one_r) + r) + ((one_r - exp_head(x)) + half_r2)) + 0.5 * mul_lo(r, r);
    let cubic = r * r * r * poly(r, [0.16666667, 0.041666459, 0.0083332751, 0.0013935404, 0.00019913196]);
    // The rest of k*ln2, |c| < 2.2e-4, is not subtracted from r (shader
    // compilers may merge two subtractions of k*ln2 parts into one inexact
    // product) but enters here: e^(r-c) = e^r - c e^r + c^2/2 (to 2^-40).
    let c = exp_k(x) * 1.42860677e-6;
    let shift = fma(c, fma(c, 0.5, -((r + half_r2) + cubic)), -c);
    lost + (cubic + shift)
}

/// `e^x / 2^k` rounded, in [0.70, 1.42]: the high part. A part of `exp`; see
/// [`exp_k`](fn@exp_k).
#[kernel]
pub fn exp_hi(x: f32) -> f32 {
    exp_head(x) + exp_tail(x)
}

/// What rounding [`exp_hi`](fn@exp_hi) lost, exactly (Fast2Sum): the low part
/// of `e^x / 2^k`, below half an ulp of the high part. A part of `exp`; see
/// [`exp_k`](fn@exp_k).
#[kernel]
pub fn exp_lo(x: f32) -> f32 {
    (exp_head(x) - exp_hi(x)) + exp_tail(x)
}

/// `e^x`. Round-to-nearest range reduction `x = k ln2 + r` with ln2 split in a
/// high part (exact products for every `k` reached) and a low part,
/// `1 + r + r^2/2 + r^3 Q(r)` summed in extra precision (the parts above), then
/// `2^k` applied in two exact steps so that subnormal results are rounded once.
///
/// ```
/// let mut out = [0.0; 2];
/// kernels::exp(&[0.0, 1.0], &mut out)?;
/// assert_eq!(out[0], 1.0);
/// assert!((out[1] - std::f32::consts::E).abs() <= f32::EPSILON * 3.0);
/// # Ok::<(), kernels::KernelError>(())
/// ```
#[kernel(max_ulp = 1)]
pub fn exp(x: f32) -> f32 {
    // Past these bounds the result is +inf or rounds to 0; clamping keeps k small.
    let x = clamp(x, -104.0, 89.0);
    ldexp(exp_hi(x), exp_k(x))
}

/// Hyperbolic tangent. An odd polynomial below |x| = 0.55; above it
/// `(1 - e) / (1 + e)` with `e = e^-2|x|` from the parts of `exp`, numerator
/// and denominator as exact sums and the division corrected by its remainder,
/// so that only the last operation rounds. Saturates to ±1 exactly.
///
/// ```
/// assert_eq!(kernels::tanh::scalar(0.0), 0.0);
/// assert_eq!(kernels::tanh::scalar(20.0), 1.0);
/// assert!((kernels::tanh::scalar(0.5) - 0.5f32.tanh()).abs() <= f32::EPSILON);
/// ```
#[kernel(max_ulp = 1)]
pub fn tanh(x: f32) -> f32 {
    let ax = abs(x);
    let x2 = x * x;
    let p = poly(x2, [-0.33333316, 0.13332586, -0.053852312, 0.021071685, -0.0062742466]);
    let small = fma(ax * x2, p, ax);
    // tanh(x) rounds to 1 from |x| = 9.01 on; k stays in [-28, 0].
    let t = -2.0 * min(ax, 9.5);
    let scale = pow2i(exp_k(t));
    let a = exp_hi(t) * scale;
    let a_lo = exp_lo(t) * scale;
    let n = 1.0 - a;
    let n_lo = ((1.0 - n) - a) - a_lo;
    let d = 1.0 + a;
    let d_lo = ((1.0 - d) + a) + a_lo;
    let rd = 1.0 / d;
    let q = n * rd;
    // n + n_lo - q (d + d_lo), with q d as an exact product (n - q d cancels exactly).
    let rem = ((n - q * d) - mul_lo(q, d)) + (n_lo - q * d_lo);
    let large = fma(rem, rd, q);
    // Both branches on |x|, the sign restored once: tanh(-0) is -0.
    copysign(select(ax < 0.55, small, large), x)
}

/// The argument of `e^t` behind [`sigmoid`](fn@sigmoid): `-|x|`, or for
/// x < -80 the input shifted by `64 ln2` (its high part, exact there), so that
/// `e^t` is computed scaled by 2^64 and no subnormal is ever formed.
#[kernel]
pub fn sigmoid_t(x: f32) -> f32 {
    // sigmoid(-120) already rounds to 0; e^-80 is below every rounding error here.
    let x = max(x, -120.0);
    select(x < -80.0, x + 44.361328125, max(-abs(x), -80.0))
}

/// The power of two in `sigmoid(x) = 2^k (sigmoid_hi(x) + sigmoid_lo(x))`: 0 for
/// x >= 0, the `k` of `e^x` below (less 64 where that is computed scaled).
#[kernel]
pub fn sigmoid_k(x: f32) -> f32 {
    let k = exp_k(sigmoid_t(x));
    select(x < 0.0, select(x < -80.0, k - 64.0, k), 0.0)
}

/// The high part of `sigmoid(x) / 2^k`: `n / d` rounded, with `d = 1 + e`,
/// `n = 1` for x >= 0 and `n = e / 2^k` below, `e = e^-|x|`.
#[kernel]
pub fn sigmoid_hi(x: f32) -> f32 {
    let t = sigmoid_t(x);
    let h = exp_hi(t);
    // 2^max(k, -40): where e < 2^-40 the denominator is 1 to far below an ulp.
    select(x < 0.0, h, 1.0) / (1.0 + h * pow2i(max(exp_k(t), -40.0)))
}

/// The low part of `sigmoid(x) / 2^k`: the remainder of the division behind
/// [`sigmoid_hi`](fn@sigmoid_hi), from exact sums and products, divided by `d`.
#[kernel]
pub fn sigmoid_lo(x: f32) -> f32 {
    let t = sigmoid_t(x);
    let h = exp_hi(t);
    // e^(x + 64 ln2) = e^t (1 + 9.1435016e-5): the low part of 64 ln2.
    let l = select(x < -80.0, fma(h, 9.1435016e-5, exp_lo(t)), exp_lo(t));
    let scale = pow2i(max(exp_k(t), -40.0));
    let a = h * scale;
    let d = 1.0 + a;
    let d_lo = ((1.0 - d) + a) + l * scale;
    let n = select(x < 0.0, h, 1.0);
    let n_lo = select(x < 0.0, l, 0.0);
    let q = sigmoid_hi(x);
    let rem = ((n - q * d) - mul_lo(q, d)) + (n_lo - q * d_lo);
    rem / d
}

/// The logistic function `1 / (1 + e^-x)`, from `e = e^-|x|` so nothing overflows:
/// `1 / (1 + e)` for x >= 0 and `e / (1 + e)` below, the division corrected by
/// its remainder and the power of two of `e` applied last, so the result is
/// rounded once, subnormal results (x < -87.3) included.
///
/// ```
/// let mut v = [0.0, 100.0, -100.0];
/// kernels::sigmoid::in_place(&mut v)?;
/// assert_eq!(v[0], 0.5);
/// assert_eq!(v[1], 1.0);
/// assert!(v[2] > 0.0 && v[2] < 1e-40);
/// # Ok::<(), kernels::KernelError>(())
/// ```
#[kernel(max_ulp = 1)]
pub fn sigmoid(x: f32) -> f32 {
    ldexp(sigmoid_hi(x) + sigmoid_lo(x), sigmoid_k(x))
}

/// `2^x`: `x = k + r` with `k = round(x)` (so `r` is exact, |r| <= 1/2), a
/// degree-6 polynomial for `(2^r - 1)/r`, and `2^k` applied in two exact steps.
///
/// ```
/// assert_eq!(kernels::exp2::scalar(10.0), 1024.0);
/// assert_eq!(kernels::exp2::scalar(-149.0), f32::from_bits(1));
/// ```
#[kernel(max_ulp = 1)]
pub fn exp2(x: f32) -> f32 {
    let x = clamp(x, -151.0, 129.0);
    let k = round(x);
    let r = x - k;
    let q = poly(
        r,
        [
            0.69314718,
            0.24022648,
            0.055503324,
            0.0096184369,
            0.0013398876,
            0.00015353359,
        ],
    );
    // 1 + r q as an exact sum plus the exact low part of r q: one rounding at
    // the end, with or without FMA.
    let rq = r * q;
    let hi = 1.0 + rq;
    let p = hi + (((1.0 - hi) + rq) + mul_lo(r, q));
    ldexp(p, k)
}

/// `log(1 + f) - f` for |f| <= 0.42: `-f^2/2 + f^3 P(f)`, the part of the
/// logarithm that [`log`](fn@log) and [`softplus`](fn@softplus) add to an exact `f`.
#[kernel]
pub fn log1p_c(f: f32) -> f32 {
    let f2 = f * f;
    let p = poly(
        f,
        [
            0.33333313,
            -0.25000009,
            0.20002119,
            -0.16667995,
            0.14219548,
            -0.12405592,
            0.11888196,
            -0.11675648,
            0.067465626,
        ],
    );
    fma(f2 * f, p, -0.5 * f2)
}

/// Natural logarithm. `x = m 2^e` with `m` centred on 1 (`[sqrt(1/2), sqrt(2))`),
/// `log(1 + f) = f - f^2/2 + f^3 P(f)` with `f = m - 1` exact, plus `e ln2` in
/// two parts. Subnormal inputs are scaled into the normal range first.
/// `log(±0) = -inf`, `log(x < 0) = NaN`, `log(inf) = inf`.
///
/// ```
/// assert_eq!(kernels::log::scalar(1.0), 0.0);
/// assert!((kernels::log::scalar(std::f32::consts::E) - 1.0).abs() <= f32::EPSILON);
/// assert_eq!(kernels::log::scalar(0.0), f32::NEG_INFINITY);
/// assert!(kernels::log::scalar(-1.0).is_nan());
/// ```
#[kernel(max_ulp = 2)]
pub fn log(x: f32) -> f32 {
    let tiny = x < 1.17549435e-38;
    let xs = select(tiny, x * 8388608.0, x);
    let m = mantissa(xs);
    let e = exponent(xs) - select(tiny, 23.0, 0.0);
    let high = m > 1.41421356;
    let m = select(high, m * 0.5, m);
    let e = select(high, e + 1.0, e);
    let f = m - 1.0;
    let y = log1p_c(f) + f;
    let r = fma(e, 0.693145751953125, fma(e, 1.42860677e-6, y));
    // -1/|x| is -inf for ±0; (x - x)/(x - x) is NaN for negative x and NaN.
    let r = select(x == 0.0, -1.0 / abs(x), r);
    let r = select(x > 3.4028235e38, x, r);
    select(x >= 0.0, r, (x - x) / (x - x))
}

/// `e^x - 1`, accurate near 0 where `exp(x) - 1` cancels: `2^k (hi + lo) - 1`
/// from the parts of `exp`, with `2^k hi - 1` as an exact sum (TwoSum), so only
/// the final addition rounds. Saturates to -1 below -17 and follows `exp` to +inf.
///
/// ```
/// let tiny = 1e-10f32;
/// assert_eq!(kernels::expm1::scalar(tiny), tiny);
/// assert_eq!(kernels::expm1::scalar(-30.0), -1.0);
/// ```
#[kernel(max_ulp = 1)]
pub fn expm1(x: f32) -> f32 {
    // exp's own clamp, so the parts are shared with the `exp(x)` below.
    let xc = clamp(x, -104.0, 89.0);
    // Outside [-40, 40] the sum below is -1 or unused; the clamp keeps 2^k normal.
    let scale = pow2i(clamp(exp_k(xc), -40.0, 40.0));
    let a = exp_hi(xc) * scale;
    let m = a - 1.0;
    let z = m - a;
    let m_lo = ((a - (m - z)) - (1.0 + z)) + exp_lo(xc) * scale;
    // From 20 on e^x - 1 rounds to e^x.
    // The sign of x, also for -0 (where m + m_lo is +0).
    copysign(select(x > 20.0, exp(x), m + m_lo), x)
}

/// Square root, correctly rounded on every CPU target.
///
/// ```
/// assert_eq!(kernels::sqrt::scalar(2.25), 1.5);
/// assert!(kernels::sqrt::scalar(-1.0).is_nan());
/// ```
#[kernel]
pub fn sqrt(x: f32) -> f32 {
    sqrt(x)
}

/// `1 / x`, correctly rounded on every CPU target.
///
/// ```
/// assert_eq!(kernels::reciprocal::scalar(4.0), 0.25);
/// assert_eq!(kernels::reciprocal::scalar(-0.0), f32::NEG_INFINITY);
/// ```
#[kernel]
pub fn reciprocal(x: f32) -> f32 {
    1.0 / x
}

/// `erf(y) / y - 1` at `t = y^2`, |y| <= 0.921875: a degree-6 minimax polynomial.
/// Shared by [`erf`](fn@erf) and [`gelu_erf`](fn@gelu_erf).
#[kernel]
pub fn erf_c(t: f32) -> f32 {
    poly(
        t,
        [
            0.12837917,
            -0.37612635,
            0.11283702,
            -0.0268597,
            0.0052017104,
            -0.00081497378,
            8.3975036e-5,
        ],
    )
}

/// The constant term of `V(z) = y^2 + log(erfc(y) y / sqrt(2))` at `z = 1/y`,
/// y in [0.92, 10.4], an exact f32; [`erfc_v`](fn@erfc_v) is the rest. Then
/// `erfc(y) = sqrt(2) z e^(V(z) - y^2)`, and the exponential carries the whole
/// decay.
#[kernel]
pub fn erfc_v0(z: f32) -> f32 {
    select(z > 0.39, -1.0996149778366089, -0.9476770758628845)
}

/// `V(z) - erfc_v0(z)`, below 0.14 in magnitude, so it rounds far below an
/// ulp of `V`: two minimax polynomials in `z` (split at 0.39) with the low
/// parts of their constant terms, absolute error below 1.1e-8.
#[kernel]
pub fn erfc_v(z: f32) -> f32 {
    let dn = z - 0.73375;
    let near = fma(
        dn,
        poly(
            dn,
            [
                -0.36030006,
                -0.028169312,
                0.09036014,
                -0.08046489,
                0.052185681,
                -0.022315102,
                -0.010592117,
                0.026712844,
            ],
        ),
        1.898152e-8,
    );
    let df = z - 0.24825;
    let far = fma(
        df,
        poly(
            df,
            [
                -0.21681197,
                -0.3316744,
                0.33058092,
                -0.021719685,
                -0.40053916,
                0.53576547,
            ],
        ),
        -2.6308562e-8,
    );
    select(z > 0.39, near, far)
}

/// The error function. `|x| (1 + c(x^2))` below |x| = 0.921875; above,
/// `1 - erfc(|x|)` with `erfc` from [`erfc_v0`](fn@erfc_v0) and the parts of
/// `exp` (the subtraction from 1 shrinks their errors); the sign restored last.
/// Rounds to ±1 from |x| = 3.92 on.
///
/// ```
/// assert_eq!(kernels::erf::scalar(0.0), 0.0);
/// assert_eq!(kernels::erf::scalar(5.0), 1.0);
/// assert!((kernels::erf::scalar(0.5) - 0.52049988).abs() <= f32::EPSILON);
/// ```
#[kernel(max_ulp = 2)]
pub fn erf(x: f32) -> f32 {
    let ax = abs(x);
    let small = fma(ax, erf_c(ax * ax), ax);
    let y = clamp(ax, 0.921875, 4.0);
    let z = 1.0 / y;
    let a = (erfc_v0(z) - y * y) + erfc_v(z);
    let e = (exp_hi(a) + exp_lo(a)) * pow2i(exp_k(a));
    let large = 1.0 - 1.4142135 * z * e;
    copysign(select(ax < 0.921875, small, large), x)
}
