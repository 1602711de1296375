//! Exact element-wise arithmetic.

use simdwise_macros::kernel;

/// `|x|`, exact (the sign bit cleared, NaN stays NaN).
///
/// ```
/// assert_eq!(simdwise::abs::scalar(-2.5), 2.5);
/// assert_eq!(simdwise::abs::scalar(-0.0).to_bits(), 0);
/// ```
#[kernel]
pub fn abs(x: f32) -> f32 {
    abs(x)
}

/// `out[i] = a[i] + b[i]`, exact.
///
/// ```
/// let mut out = [0.0; 3];
/// simdwise::add(&[1.0, 2.0, 3.0], &[0.5, 0.5, 0.5], &mut out)?;
/// assert_eq!(out, [1.5, 2.5, 3.5]);
/// # Ok::<(), simdwise::KernelError>(())
/// ```
#[kernel]
pub fn add(a: f32, b: f32) -> f32 {
    a + b
}

/// `out[i] = a[i] * b[i]`, exact.
///
/// ```
/// let mut a = [1.0, 2.0, 3.0];
/// simdwise::mul::in_place(&mut a, &[2.0, 2.0, 0.5])?;
/// assert_eq!(a, [2.0, 4.0, 1.5]);
/// # Ok::<(), simdwise::KernelError>(())
/// ```
#[kernel]
pub fn mul(a: f32, b: f32) -> f32 {
    a * b
}
