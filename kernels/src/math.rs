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
    let small = fma(x * x2, p, x);
    // e^19 keeps the large branch finite; tanh(x) rounds to 1 from |x| = 9.01 on.
    let e = exp(2.0 * min(ax, 9.5));
    let large = copysign(1.0 - 2.0 / (e + 1.0), x);
    select(ax < 0.55, small, large)
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
    let e = exp(-abs(x));
    select(x < 0.0, e, 1.0) / (1.0 + e)
}
