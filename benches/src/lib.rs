//! Shared by the benches and the demo: calling any kernel through its
//! descriptor with generated inputs.

use kernels::{Isa, Kernel, KernelError};

/// The value given to every `#[scalar]` parameter (leaky_relu's `alpha`).
pub const SCALAR_ARG: f32 = 0.01;

/// Inputs for `kernel`: `kernel.inputs.len()` streams of `n` values, uniform
/// over `[-range, range]`, deterministic.
pub fn inputs(kernel: &Kernel, n: usize, range: f32) -> Vec<Vec<f32>> {
    let mut state = 0x9e37_79b9_7f4a_7c15u64 ^ n as u64;
    (0..kernel.inputs.len())
        .map(|_| {
            (0..n)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    let unit = (state >> 40) as f32 / (1u64 << 24) as f32;
                    (2.0 * unit - 1.0) * range
                })
                .collect()
        })
        .collect()
}

/// The input range that exercises `kernel` without hitting a shortcut: wide
/// enough to cross every branch of the transcendental ones.
pub fn interesting_range(kernel: &Kernel) -> f32 {
    match kernel.name {
        "exp" => 80.0,
        "add" | "mul" => 1000.0,
        _ => 10.0,
    }
}

/// Runs `kernel` on `inputs` into `out` with `isa`, or dispatched when `None`.
pub fn call(kernel: &Kernel, isa: Option<Isa>, inputs: &[Vec<f32>], out: &mut [f32]) -> Result<(), KernelError> {
    let mut slices: [&[f32]; kernels::runtime::MAX_INPUTS] = [&[]; kernels::runtime::MAX_INPUTS];
    for (slot, input) in slices.iter_mut().zip(inputs) {
        *slot = input;
    }
    let slices = &slices[..inputs.len()];
    let scalars = [SCALAR_ARG; kernels::runtime::MAX_SCALARS];
    let scalars = &scalars[..kernel.scalars.len()];
    match isa {
        Some(isa) => kernels::runtime::run_with_isa(kernel, isa, slices, scalars, out),
        None => kernels::runtime::run(kernel, slices, scalars, out),
    }
}

/// Distance in representable f32 values between `a` and `b` (0 when equal,
/// including both NaN); signed zeros are equal.
pub fn ulp_distance(a: f32, b: f32) -> u64 {
    if a.is_nan() && b.is_nan() || a == b {
        return 0;
    }
    if a.is_nan() || b.is_nan() {
        return u64::MAX;
    }
    // Map the sign-magnitude bits onto a monotonic integer line.
    let key = |v: f32| {
        let bits = v.to_bits() as i64;
        if bits < 0x8000_0000 { bits } else { 0x8000_0000 - bits }
    };
    key(a).abs_diff(key(b))
}
