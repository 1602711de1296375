//! Element-wise ops written once with `#[kernel]` and generated for every
//! target: portable, SSE2, AVX2+FMA, AVX-512, NEON, and a WGSL shader.
//!
//! Each op `k` comes as:
//! - `k(&inputs.., scalars.., &mut out)`: dispatched to the best variant for
//!   this CPU, inline for small inputs, over L2-sized chunks on rayon for large;
//! - `k::in_place(..)`: the first input is overwritten with the result;
//! - `k::with_isa(isa, ..)`: one named variant, an error if the CPU lacks it;
//! - `k::scalar(..)`: the function on one element;
//! - `k::KERNEL`: the descriptor (variants, declared max ULP, cost hint).
//!
//! ```
//! use simdwise::{Isa, tanh};
//!
//! let x: Vec<f32> = (0..1000).map(|i| i as f32 / 100.0 - 5.0).collect();
//! let mut y = vec![0.0; x.len()];
//! tanh(&x, &mut y)?;
//! tanh::with_isa(Isa::Scalar, &x, &mut y)?;
//! assert_eq!(y[500], tanh::scalar(x[500]));
//! assert!(tanh::KERNEL.max_ulp() <= 2.0);
//! # Ok::<(), simdwise::KernelError>(())
//! ```
//!
//! # The kernel language
//!
//! A `#[kernel]` function takes 1 to 3 streaming `f32` inputs and up to 4
//! `#[scalar]` `f32` parameters and returns `f32`. Its body is `let` bindings
//! and a final expression built from float literals, `+ - * /`, unary `-`,
//! comparisons combined with `&& || !`, `if c { a } else { b }` (both sides
//! computed, one selected), the builtins `abs sqrt floor ceil round trunc min
//! max clamp fma copysign select isnan pow2i ldexp exponent mantissa bits mul_lo
//! add_lo poly table`, and calls to other kernels, which are inlined. `min`/`max`
//! propagate NaN. `fma` is fused on targets with FMA and a multiply-add
//! elsewhere (SSE2, portable); `mul_lo(a, b)`, the exact rounding error of
//! `a * b`, is exact on every target (Dekker's product where there is no FMA),
//! and so is `add_lo(a, b)`, the rounding error of `a + b` (TwoSum).
//! `table(i, [t0, t1, ..])` is the entry at `trunc(i)` of a constant table (a
//! permute or gather per vector); `bits(x)`, the bit pattern of `x` as a
//! number, makes table indices from the binade of `x`.
//!
//! ```
//! use simdwise_macros::kernel;
//! use simdwise::exp;
//!
//! /// `scale * e^x`, reusing `exp` (inlined into each variant).
//! #[kernel(max_ulp = 4)]
//! pub fn scaled_exp(x: f32, #[scalar] scale: f32) -> f32 {
//!     scale * exp(x)
//! }
//!
//! fn main() -> Result<(), simdwise::KernelError> {
//!     let mut out = [0.0; 2];
//!     scaled_exp(&[0.0, 1.0], 2.0, &mut out)?;
//!     assert_eq!(out[0], 2.0);
//!     Ok(())
//! }
//! ```
//!
//! Kernels are module-level items: the generated module finds the kernels it
//! calls through `use super::*`, which does not see imports inside a function.

mod activation;
mod arith;
mod math;
pub mod reference;

pub use activation::{elu, gelu, gelu_erf, hardswish, leaky_relu, relu, silu, softplus};
pub use arith::{abs, add, mul};
pub use math::{erf, exp, exp2, expm1, log, reciprocal, sigmoid, sqrt, tanh};
pub use simdwise_macros::kernel;
pub use simdwise_runtime::{self as runtime, Isa, Kernel, KernelError, half};

/// The pieces the accurate kernels are built from, for kernels of your own:
/// `e^x = 2^exp_k (exp_hi + exp_lo)` to 2^-31 (or table-driven, `exp16_*`, `pow2_*`),
/// `sigmoid(x) = 2^sigmoid_k (sigmoid_hi + sigmoid_lo)`, ... Each is a kernel (callable from `#[kernel]` code, where
/// calls to parts of one function share their work once inlined); on their own
/// they carry no accuracy bound, so they are not in [`ALL`].
pub mod parts {
    pub use crate::math::{
        exp_head, exp_hi, exp_k, exp_lo, exp_neg_wide, exp_r, exp_tail, exp2_m, exp2_s, exp16_m, exp16_poly, exp16_r,
        exp16_s, exp16_tail, expm1_big, expm1_small, expm1_table, log_any, log_me, log1p_c, pow2_frac, pow2_hi,
        pow2_lo, quarter_binade, sigmoid_d, sigmoid_d_lo, sigmoid_d_scale, sigmoid_e, sigmoid_e_k, sigmoid_e_lo,
        sigmoid_e_t, sigmoid_hi, sigmoid_k, sigmoid_lo, sigmoid_n, sigmoid_n_lo, sigmoid_q, sigmoid_rem, sigmoid_t,
    };
}

/// Every kernel of this crate, for tools that iterate over them (tests, benches, the demo).
pub static ALL: &[&Kernel] = &[
    &relu::KERNEL,
    &leaky_relu::KERNEL,
    &add::KERNEL,
    &mul::KERNEL,
    &exp::KERNEL,
    &tanh::KERNEL,
    &sigmoid::KERNEL,
    &silu::KERNEL,
    &gelu::KERNEL,
    &exp2::KERNEL,
    &log::KERNEL,
    &expm1::KERNEL,
    &sqrt::KERNEL,
    &reciprocal::KERNEL,
    &softplus::KERNEL,
    &elu::KERNEL,
    &hardswish::KERNEL,
    &abs::KERNEL,
    &erf::KERNEL,
    &gelu_erf::KERNEL,
];
