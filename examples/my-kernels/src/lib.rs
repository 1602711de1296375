//! Ops of a model, written once with `#[kernel]` and fused: each is one pass
//! over memory on every target, calling the `simdwise` crate's ops inline.

use simdwise::{gelu, relu, silu};
use simdwise_macros::kernel;

/// `gelu(x + b)`: a bias and GELU (tanh form) in one pass. Within 2 ulp of
/// GELU of the rounded sum.
#[kernel(max_ulp = 2)]
pub fn bias_gelu(x: f32, b: f32) -> f32 {
    gelu(x + b)
}

/// SwiGLU's gate, `silu(a) * b`: silu within 1 ulp, then one rounding.
#[kernel(max_ulp = 2)]
pub fn swiglu(a: f32, b: f32) -> f32 {
    silu(a) * b
}

/// Leaky ReLU with the slope as a run-time scalar, exact.
#[kernel]
pub fn leaky(x: f32, #[scalar] alpha: f32) -> f32 {
    select(x > 0.0, x, alpha * x)
}

/// `relu(x * a + b)` over three inputs in one pass: the product is rounded,
/// then the sum, as written (no contraction into an FMA on any target).
#[kernel]
pub fn affine_relu(x: f32, a: f32, b: f32) -> f32 {
    relu(x * a + b)
}

/// The guide's code blocks, compiled and run as doc tests of this crate.
#[doc = include_str!("../../../docs/writing-kernels.md")]
#[cfg(doctest)]
pub struct WritingKernelsGuide;
