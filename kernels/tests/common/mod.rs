//! Shared by the integration tests: the f64 reference of every kernel, the ULP
//! metric, test inputs.
#![allow(dead_code)]

use kernels::{Isa, Kernel};

/// Runs one variant (by ISA) of a kernel on 1 or 2 input streams.
pub type RunFn = fn(Isa, &[&[f32]], &mut [f32]) -> Result<(), kernels::KernelError>;

/// How a test calls one kernel with one variant.
pub struct Case {
    pub kernel: &'static Kernel,
    /// Runs the variant for `isa` on the inputs (1 or 2 streams) into `out`.
    pub run: RunFn,
    /// The exact result, in f64 (correct to far better than an f32 ulp).
    pub reference: fn(&[f64]) -> f64,
    /// Where random inputs are drawn from: the op's interesting range.
    pub range: (f32, f32),
}

pub const LEAKY_ALPHA: f32 = 0.01;

fn sigmoid64(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        x.exp() / (1.0 + x.exp())
    }
}

fn gelu64(x: f64) -> f64 {
    let u = (2.0 / std::f64::consts::PI).sqrt() * (x + 0.044715 * x * x * x);
    // 0.5 x (1 + tanh u) == x sigmoid(2u), without the cancellation.
    x * sigmoid64(2.0 * u)
}

pub fn cases() -> Vec<Case> {
    vec![
        Case {
            kernel: &kernels::relu::KERNEL,
            run: |isa, i, o| kernels::relu::with_isa(isa, i[0], o),
            reference: |a| if a[0].is_nan() { a[0] } else { a[0].max(0.0) },
            range: (-10.0, 10.0),
        },
        Case {
            kernel: &kernels::leaky_relu::KERNEL,
            run: |isa, i, o| kernels::leaky_relu::with_isa(isa, i[0], LEAKY_ALPHA, o),
            reference: |a| {
                if a[0] > 0.0 {
                    a[0]
                } else {
                    f64::from(LEAKY_ALPHA) * a[0]
                }
            },
            range: (-10.0, 10.0),
        },
        Case {
            kernel: &kernels::add::KERNEL,
            run: |isa, i, o| kernels::add::with_isa(isa, i[0], i[1], o),
            reference: |a| a[0] + a[1],
            range: (-1000.0, 1000.0),
        },
        Case {
            kernel: &kernels::mul::KERNEL,
            run: |isa, i, o| kernels::mul::with_isa(isa, i[0], i[1], o),
            reference: |a| a[0] * a[1],
            range: (-1000.0, 1000.0),
        },
        Case {
            kernel: &kernels::exp::KERNEL,
            run: |isa, i, o| kernels::exp::with_isa(isa, i[0], o),
            reference: |a| a[0].exp(),
            range: (-104.0, 89.0),
        },
        Case {
            kernel: &kernels::tanh::KERNEL,
            run: |isa, i, o| kernels::tanh::with_isa(isa, i[0], o),
            reference: |a| a[0].tanh(),
            range: (-10.0, 10.0),
        },
        Case {
            kernel: &kernels::sigmoid::KERNEL,
            run: |isa, i, o| kernels::sigmoid::with_isa(isa, i[0], o),
            reference: |a| sigmoid64(a[0]),
            range: (-110.0, 30.0),
        },
        Case {
            kernel: &kernels::silu::KERNEL,
            run: |isa, i, o| kernels::silu::with_isa(isa, i[0], o),
            reference: |a| {
                if a[0] == f64::NEG_INFINITY {
                    -0.0
                } else {
                    a[0] * sigmoid64(a[0])
                }
            },
            range: (-120.0, 30.0),
        },
        Case {
            kernel: &kernels::gelu::KERNEL,
            run: |isa, i, o| kernels::gelu::with_isa(isa, i[0], o),
            reference: |a| {
                if a[0] == f64::NEG_INFINITY { -0.0 } else { gelu64(a[0]) }
            },
            range: (-10.0, 10.0),
        },
    ]
}

/// Error of `got` in units in the last place of the exact result `want`
/// (0.5 for a correctly rounded result). NaN must meet NaN, and an infinite or
/// overflowing result must be matched exactly; either miss is infinite error.
pub fn ulp_error(got: f32, want: f64) -> f64 {
    if want.is_nan() || got.is_nan() {
        return if want.is_nan() && got.is_nan() {
            0.0
        } else {
            f64::INFINITY
        };
    }
    let rounded = want as f32;
    if rounded.is_infinite() || got.is_infinite() {
        return if got == rounded { 0.0 } else { f64::INFINITY };
    }
    // The ulp of the f32 binade holding `want`; subnormals share the smallest.
    let exponent = (rounded.abs().max(f32::MIN_POSITIVE).to_bits() >> 23) as i32 - 127;
    let ulp = 2f64.powi(exponent - 23);
    (f64::from(got) - want).abs() / ulp
}

/// Inputs every kernel must get right: signed zeros, infinities, NaN,
/// subnormals, the extremes, and the points where ops saturate or switch form.
pub fn special_values() -> Vec<f32> {
    let mut v = vec![
        0.0,
        -0.0,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
        -f32::NAN,
        f32::MIN_POSITIVE,
        -f32::MIN_POSITIVE,
        f32::from_bits(1),
        -f32::from_bits(1),
        f32::from_bits(0x007f_ffff),
        f32::MAX,
        f32::MIN,
        f32::EPSILON,
        1e-30,
        -1e-30,
        1.0,
        -1.0,
        0.5,
        // exp: overflow threshold and the last finite / last subnormal results.
        88.72283,
        88.72284,
        -87.33655,
        -103.27893,
        -103.97208,
        -104.0,
        // tanh: the polynomial/exp switch and saturation.
        0.55,
        -0.55,
        0.5499999,
        9.010913,
        -9.010913,
        9.5,
        // silu: the scaled branch.
        -80.0,
        -80.00001,
        -120.0,
    ];
    let mut extra = Vec::new();
    for &x in &v {
        for delta in [-1i32, 1] {
            if x.is_finite() && x != 0.0 {
                extra.push(f32::from_bits(x.to_bits().wrapping_add_signed(delta)));
            }
        }
    }
    v.extend(extra);
    v
}

/// splitmix64: deterministic, dependency-free test inputs.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `[lo, hi)`.
    pub fn uniform(&mut self, lo: f32, hi: f32) -> f32 {
        let unit = (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32;
        lo + (hi - lo) * unit
    }

    pub fn vec(&mut self, n: usize, (lo, hi): (f32, f32)) -> Vec<f32> {
        (0..n).map(|_| self.uniform(lo, hi)).collect()
    }
}
