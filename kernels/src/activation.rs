//! Activation functions. `silu` and `gelu` call `exp` and `sigmoid`: the calls
//! are inlined into one pass over memory (fusion).

use kernel_macros::kernel;

use crate::math::{exp, sigmoid};

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
/// shift `x + 64 ln2` is exact there) and scaled back last, so tiny results are
/// rounded once instead of flushed.
///
/// ```
/// let y = kernels::silu::scalar(1.0);
/// assert!((y - 1.0 / (1.0 + (-1.0f32).exp())).abs() <= f32::EPSILON);
/// ```
#[kernel(max_ulp = 3)]
pub fn silu(x: f32) -> f32 {
    // silu(-120) already rounds to -0.
    let x = max(x, -120.0);
    let tiny = x < -80.0;
    // 64 * ln2 = 44.361328125 (exact, high part) + 9.1430836e-5 (low part).
    let e = exp(select(tiny, x + 44.361328125, -abs(x)));
    let e = select(tiny, fma(e, 9.1435016e-5, e), e);
    let num = select(x < 0.0, x * e, x);
    let s = num / (1.0 + select(tiny, 0.0, e));
    select(tiny, s * 5.421010862427522e-20, s)
}

/// GELU, tanh approximation: `0.5 x (1 + tanh(u))`, `u = 0.7978846 (x + 0.044715 x^3)`,
/// computed as the identical `x * sigmoid(2u)`, which does not cancel for
/// negative `x` the way `1 + tanh(u)` does. The bound is loose for x < -5,
/// where rounding the argument `2u` (up to ~100 in magnitude) to f32 already
/// costs hundreds of ulp of the tiny result; elsewhere it is within 3 ulp.
///
/// ```
/// let mut out = [0.0; 2];
/// kernels::gelu(&[0.0, 3.0], &mut out)?;
/// assert_eq!(out[0], 0.0);
/// assert!((out[1] - 2.9963627).abs() < 1e-5);
/// # Ok::<(), kernels::KernelError>(())
/// ```
#[kernel(max_ulp = 320)]
pub fn gelu(x: f32) -> f32 {
    // gelu(-20) already rounds to -0; this keeps -inf from becoming -inf * 0.
    let x = max(x, -20.0);
    x * sigmoid(1.5957691 * fma(0.044715 * x, x * x, x))
}
