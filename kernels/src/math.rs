//! Transcendental functions. Each is range reduction plus a short polynomial,
//! written in the kernel language so one definition serves every target.

use kernel_macros::kernel;

/// `e^x`. Round-to-nearest range reduction `x = k ln2 + r` with ln2 split in a
/// high part (exact products for every `k` reached) and a low part, a degree-6
/// polynomial on `|r| <= ln2/2`, then `2^k` applied in two exact steps so that
/// subnormal results are rounded once.
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
    let k = round(x * 1.44269504);
    // Exact: k has at most 8 significant bits and ln2's high part 15.
    let r = fma(k, -0.693145751953125, x);
    // The rest of k*ln2, |c| < 2.2e-4, is not subtracted from r (shader
    // compilers may merge two subtractions of k*ln2 parts into one inexact
    // product) but enters the sum below:
    // e^(r-c) = 1 + r + s - c (1 + r + s) + c^2/2, with s = e^r - 1 - r.
    let c = k * 1.42860677e-6;
    let s = r * r * poly(r, [0.49999994, 0.16666521, 0.041668389, 0.008368711, 0.0013814605]);
    // 1 + r as an exact sum hi + lo (Fast2Sum), so only the small terms round.
    let hi = 1.0 + r;
    let lo = (1.0 - hi) + r;
    let tail = fma(c, fma(c, 0.5, -(r + s)), s - c);
    let p = hi + (lo + tail);
    ldexp(p, k)
}

/// Hyperbolic tangent. An odd polynomial below |x| = 0.55, where `1 - 2/(e^2|x| + 1)`
/// would cancel; above it that form, with the sign restored. Saturates to ±1 exactly.
///
/// ```
/// assert_eq!(kernels::tanh::scalar(0.0), 0.0);
/// assert_eq!(kernels::tanh::scalar(20.0), 1.0);
/// assert!((kernels::tanh::scalar(0.5) - 0.5f32.tanh()).abs() <= f32::EPSILON);
/// ```
#[kernel(max_ulp = 2)]
pub fn tanh(x: f32) -> f32 {
    let ax = abs(x);
    let x2 = x * x;
    let p = poly(x2, [-0.33333316, 0.13332586, -0.053852312, 0.021071685, -0.0062742466]);
    let small = fma(ax * x2, p, ax);
    // e^19 keeps the large branch finite; tanh(x) rounds to 1 from |x| = 9.01 on.
    let e = exp(2.0 * min(ax, 9.5));
    let large = 1.0 - 2.0 / (e + 1.0);
    // Both branches on |x|, the sign restored once: tanh(-0) is -0.
    copysign(select(ax < 0.55, small, large), x)
}

/// The logistic function `1 / (1 + e^-x)`, from `e = e^-|x|` so nothing overflows:
/// `1 / (1 + e)` for x >= 0 and `e / (1 + e)` below, which stays accurate where
/// the result is subnormal (x < -87.3) instead of flushing to zero.
///
/// ```
/// let mut v = [0.0, 100.0, -100.0];
/// kernels::sigmoid::in_place(&mut v)?;
/// assert_eq!(v[0], 0.5);
/// assert_eq!(v[1], 1.0);
/// assert!(v[2] > 0.0 && v[2] < 1e-40);
/// # Ok::<(), kernels::KernelError>(())
/// ```
#[kernel(max_ulp = 2.5)]
pub fn sigmoid(x: f32) -> f32 {
    // sigmoid(-120) already rounds to 0.
    let x = max(x, -120.0);
    // Below -80, e^x is computed scaled by 2^64 (x + 64 ln2 is exact there) and
    // scaled back by `ldexp`, so no subnormal ever enters an x86 divide (which
    // would cost a microcode assist) and the result is rounded once.
    let tiny = x < -80.0;
    let e = exp(select(tiny, x + 44.361328125, -abs(x)));
    let e = select(tiny, fma(e, 9.1435016e-5, e), e);
    let s = select(x < 0.0, e, 1.0) / (1.0 + select(tiny, 0.0, e));
    select(tiny, ldexp(s, -64.0), s)
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
    // The large term f is added last, so the small ones round at their own scale.
    let y = fma(f2 * f, p, -0.5 * f2) + f;
    let r = fma(e, 0.693145751953125, fma(e, 1.42860677e-6, y));
    // -1/|x| is -inf for ±0; (x - x)/(x - x) is NaN for negative x and NaN.
    let r = select(x == 0.0, -1.0 / abs(x), r);
    let r = select(x > 3.4028235e38, x, r);
    select(x >= 0.0, r, (x - x) / (x - x))
}

/// `e^x - 1`, accurate near 0 where `exp(x) - 1` cancels: Kahan's
/// `(u - 1) x / log(u)` with `u = e^x`, whose rounding errors cancel. Saturates
/// to -1 below -17 and follows `exp` to +inf.
///
/// ```
/// let tiny = 1e-10f32;
/// assert_eq!(kernels::expm1::scalar(tiny), tiny);
/// assert_eq!(kernels::expm1::scalar(-30.0), -1.0);
/// ```
#[kernel(max_ulp = 3)]
pub fn expm1(x: f32) -> f32 {
    let u = exp(x);
    let um1 = u - 1.0;
    let r = select(um1 == 0.0, x, um1 * (x / log(u)));
    let r = select(um1 == -1.0, -1.0, r);
    select(x > 88.0, u, r)
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
