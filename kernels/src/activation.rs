//! Activation functions. `silu` and `gelu` call `exp` and `sigmoid`: the calls
//! are inlined into one pass over memory (fusion).

use kernel_macros::kernel;

use crate::math::{exp, expm1, log, sigmoid};

/// `max(x, 0)`, exact; NaN stays NaN and `-0.0` becomes `0.0`.
///
/// ```
/// let mut out = [0.0; 3];
/// kernels::relu(&[-1.0, 0.5, 2.0], &mut out)?;
/// assert_eq!(out, [0.0, 0.5, 2.0]);
/// # Ok::<(), kernels::KernelError>(())
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
/// kernels::leaky_relu(&[-2.0, 3.0], 0.1, &mut out)?;
/// assert_eq!(out, [-0.2, 3.0]);
/// # Ok::<(), kernels::KernelError>(())
/// ```
#[kernel]
pub fn leaky_relu(x: f32, #[scalar] alpha: f32) -> f32 {
    select(x > 0.0, x, alpha * x)
}

/// `x * sigmoid(x)`, as `x / (1 + e^-x)` for x >= 0 and `x e^x / (1 + e^x)` below.
/// Where `e^x` would be subnormal (x < -80) it is computed scaled by 2^64 (the
/// shift `x + 64 ln2` is exact there) and scaled back last by `ldexp`, so tiny
/// results are rounded once instead of flushed, without subnormal arithmetic.
///
/// ```
/// let y = kernels::silu::scalar(1.0);
/// assert!((y - 1.0 / (1.0 + (-1.0f32).exp())).abs() <= f32::EPSILON);
/// ```
#[kernel(max_ulp = 3.5)]
pub fn silu(x: f32) -> f32 {
    // silu(-120) already rounds to -0.
    let x = max(x, -120.0);
    let tiny = x < -80.0;
    // 64 * ln2 = 44.361328125 (exact, high part) + 9.1430836e-5 (low part).
    let e = exp(select(tiny, x + 44.361328125, -abs(x)));
    let e = select(tiny, fma(e, 9.1435016e-5, e), e);
    let num = select(x < 0.0, x * e, x);
    let s = num / (1.0 + select(tiny, 0.0, e));
    select(tiny, ldexp(s, -64.0), s)
}

/// GELU, tanh approximation: `0.5 x (1 + tanh(u))`, `u = sqrt(2/pi) (x + 0.044715 x^3)`,
/// computed as the identical `x * sigmoid(2u)`, which does not cancel for
/// negative `x` the way `1 + tanh(u)` does. `2u` reaches ~100 in magnitude
/// where the result is still normal, so it is computed as an unevaluated sum
/// `t + t_lo` (exact products via `mul_lo`, constants split in two f32), and
/// `sigmoid(t + t_lo) = s (1 + t_lo (1 - s))` with `s = sigmoid(t)`. The
/// bound is set by x < -10, where `s` is subnormal before the multiply by x.
///
/// ```
/// let mut out = [0.0; 2];
/// kernels::gelu(&[0.0, 3.0], &mut out)?;
/// assert_eq!(out[0], 0.0);
/// assert!((out[1] - 2.9963627).abs() < 1e-5);
/// # Ok::<(), kernels::KernelError>(())
/// ```
#[kernel(max_ulp = 12)]
pub fn gelu(x: f32) -> f32 {
    // gelu(-20) already rounds to -0; this keeps -inf from becoming -inf * 0.
    let x = max(x, -20.0);
    // Past 20, sigmoid(2u) is 1; the clamp keeps the exact products finite.
    let xc = min(x, 20.0);
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
    let bv = t - a;
    let t_lo = (a - (t - bv)) + (b - bv) + a_lo + b_lo;
    let s = sigmoid(t);
    x * fma(s, t_lo * (1.0 - s), s)
}

/// `log(1 + e^x)`, as `max(x, 0) + log1p(e^-|x|)`, which neither overflows nor
/// loses the small result for very negative `x`. `log1p(y)` is Kahan's
/// `log(1 + y) y / ((1 + y) - 1)`, exact where `1 + y` rounds to 1.
///
/// ```
/// assert!((kernels::softplus::scalar(0.0) - std::f32::consts::LN_2).abs() <= f32::EPSILON);
/// assert_eq!(kernels::softplus::scalar(100.0), 100.0);
/// assert!(kernels::softplus::scalar(-100.0) > 0.0);
/// ```
#[kernel(max_ulp = 3)]
pub fn softplus(x: f32) -> f32 {
    let y = exp(-abs(x));
    let u = 1.0 + y;
    let l = select(u == 1.0, y, log(u) * (y / (u - 1.0)));
    max(x, 0.0) + l
}

/// ELU: `x` for positive inputs, `alpha (e^x - 1)` otherwise, through `expm1`
/// so that small negative inputs keep their precision.
///
/// ```
/// let mut out = [0.0; 2];
/// kernels::elu(&[2.0, -50.0], 1.0, &mut out)?;
/// assert_eq!(out, [2.0, -1.0]);
/// # Ok::<(), kernels::KernelError>(())
/// ```
#[kernel(max_ulp = 3.5)]
pub fn elu(x: f32, #[scalar] alpha: f32) -> f32 {
    select(x > 0.0, x, alpha * expm1(x))
}

/// Hard swish, `x * clamp(x + 3, 0, 6) / 6`; `x` itself from 3 on, where the
/// product would overflow for huge `x`.
///
/// ```
/// assert_eq!(kernels::hardswish::scalar(4.0), 4.0);
/// assert_eq!(kernels::hardswish::scalar(-4.0), 0.0);
/// assert_eq!(kernels::hardswish::scalar(0.0), 0.0);
/// ```
#[kernel(max_ulp = 2)]
pub fn hardswish(x: f32) -> f32 {
    select(x >= 3.0, x, x * clamp(x + 3.0, 0.0, 6.0) / 6.0)
}
