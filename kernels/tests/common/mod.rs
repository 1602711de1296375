//! Shared by the integration tests: the f64 reference of every kernel, the ULP
//! metric, test inputs.
#![allow(dead_code)]

use libtest_mimic::{Failed, Trial};
use simdwise::{Isa, Kernel};

/// Runs one variant (by ISA) of a kernel on its input streams.
pub type RunFn = fn(Isa, &[&[f32]], &mut [f32]) -> Result<(), simdwise::KernelError>;

/// How a test calls one kernel with one variant.
#[derive(Clone, Copy)]
pub struct Case {
    pub kernel: &'static Kernel,
    /// Runs the variant for `isa` on the inputs (1 or 2 streams) into `out`.
    pub run: RunFn,
    /// The exact result, in f64 (correct to far better than an f32 ulp).
    pub reference: fn(&[f64]) -> f64,
    /// Where random inputs are drawn from: the op's interesting range.
    pub range: (f32, f32),
}

use simdwise::reference::SCALAR_ARG;

pub fn cases() -> Vec<Case> {
    let run: [(&'static Kernel, RunFn); 20] = [
        (&simdwise::relu::KERNEL, |isa, i, o| {
            simdwise::relu::with_isa(isa, i[0], o)
        }),
        (&simdwise::leaky_relu::KERNEL, |isa, i, o| {
            simdwise::leaky_relu::with_isa(isa, i[0], SCALAR_ARG, o)
        }),
        (&simdwise::add::KERNEL, |isa, i, o| {
            simdwise::add::with_isa(isa, i[0], i[1], o)
        }),
        (&simdwise::mul::KERNEL, |isa, i, o| {
            simdwise::mul::with_isa(isa, i[0], i[1], o)
        }),
        (&simdwise::exp::KERNEL, |isa, i, o| {
            simdwise::exp::with_isa(isa, i[0], o)
        }),
        (&simdwise::tanh::KERNEL, |isa, i, o| {
            simdwise::tanh::with_isa(isa, i[0], o)
        }),
        (&simdwise::sigmoid::KERNEL, |isa, i, o| {
            simdwise::sigmoid::with_isa(isa, i[0], o)
        }),
        (&simdwise::silu::KERNEL, |isa, i, o| {
            simdwise::silu::with_isa(isa, i[0], o)
        }),
        (&simdwise::gelu::KERNEL, |isa, i, o| {
            simdwise::gelu::with_isa(isa, i[0], o)
        }),
        (&simdwise::exp2::KERNEL, |isa, i, o| {
            simdwise::exp2::with_isa(isa, i[0], o)
        }),
        (&simdwise::log::KERNEL, |isa, i, o| {
            simdwise::log::with_isa(isa, i[0], o)
        }),
        (&simdwise::expm1::KERNEL, |isa, i, o| {
            simdwise::expm1::with_isa(isa, i[0], o)
        }),
        (&simdwise::sqrt::KERNEL, |isa, i, o| {
            simdwise::sqrt::with_isa(isa, i[0], o)
        }),
        (&simdwise::reciprocal::KERNEL, |isa, i, o| {
            simdwise::reciprocal::with_isa(isa, i[0], o)
        }),
        (&simdwise::softplus::KERNEL, |isa, i, o| {
            simdwise::softplus::with_isa(isa, i[0], o)
        }),
        (&simdwise::elu::KERNEL, |isa, i, o| {
            simdwise::elu::with_isa(isa, i[0], SCALAR_ARG, o)
        }),
        (&simdwise::hardswish::KERNEL, |isa, i, o| {
            simdwise::hardswish::with_isa(isa, i[0], o)
        }),
        (&simdwise::abs::KERNEL, |isa, i, o| {
            simdwise::abs::with_isa(isa, i[0], o)
        }),
        (&simdwise::erf::KERNEL, |isa, i, o| {
            simdwise::erf::with_isa(isa, i[0], o)
        }),
        (&simdwise::gelu_erf::KERNEL, |isa, i, o| {
            simdwise::gelu_erf::with_isa(isa, i[0], o)
        }),
    ];
    assert_eq!(
        run.len(),
        simdwise::ALL.len(),
        "a kernel of simdwise::ALL has no test case"
    );
    run.into_iter()
        .map(|(kernel, run)| Case {
            kernel,
            run,
            reference: simdwise::reference::of(kernel),
            range: simdwise::reference::range(kernel.name()),
        })
        .collect()
}

/// Inputs every kernel must get right: the testkit's special values (signed
/// zeros, infinities, NaN, subnormals, extremes) and the points where this
/// crate's ops saturate or switch form, each with its neighbouring floats.
pub fn special_values() -> Vec<f32> {
    let mut v = simdwise_testkit::special_values();
    v.extend(simdwise_testkit::with_neighbours(&[
        // exp: overflow threshold and the last finite / last subnormal results.
        88.72283, 88.72284, -87.33655, -103.27893, -103.97208, -104.0,
        // tanh: the polynomial/exp switch and saturation.
        0.55, -0.55, 0.5499999, 9.010913, -9.010913, 9.5,
        // sigmoid, silu: the scaled branch and the clamps.
        -80.0, -80.00001, -120.0, 20.0, -20.0,
        // softplus: the series and the e^x branch; expm1: the exp branch.
        17.0, -17.0, // erf, gelu_erf: the polynomial/erfc switch, the split of V, saturation.
        0.921875, -0.921875, 1.3037, -1.3037, 2.5641026, -2.5641026, 3.92, 4.0, 14.6, -14.6,
        // hardswish: the linear pieces and the subnormal grid.
        3.0, -3.0, 2.3509887e-38, -2.3509887e-38,
    ]));
    v
}

// Not every test binary draws random inputs.
#[allow(unused_imports)]
pub use simdwise_testkit::Rng;

/// A property of one variant of one kernel (a panic fails it too).
pub type Property = fn(&Case, Isa) -> Result<(), Failed>;

/// One named test per property x kernel x ISA (`dense::tanh::avx2`); an ISA
/// this CPU lacks is an ignored test marked `[not on this CPU]`.
pub fn per_isa_trials(properties: &[(&'static str, Property)]) -> Vec<Trial> {
    let mut trials = Vec::new();
    for case in cases() {
        for isa in case.kernel.isas() {
            for &(property, check) in properties {
                let name = format!("{property}::{}::{}", case.kernel.name(), isa.name());
                let trial = Trial::test(name, move || check(&case, isa));
                trials.push(if isa.is_available() {
                    trial
                } else {
                    trial.with_ignored_flag(true).with_kind("not on this CPU")
                });
            }
        }
    }
    trials
}

/// A half format's precision, for errors in its ulps: its name, mantissa
/// bits, smallest normal, and rounding to it (from the exact f64 result).
#[derive(Clone, Copy)]
pub struct HalfPrecision {
    pub name: &'static str,
    pub mantissa: i32,
    pub min_normal: f64,
    pub round: fn(f64) -> f64,
}

impl HalfPrecision {
    pub const F16: HalfPrecision = HalfPrecision {
        name: "f16",
        mantissa: 10,
        min_normal: 6.103515625e-5,
        round: |x| simdwise::half::f16::from_f64(x).to_f64(),
    };
    pub const BF16: HalfPrecision = HalfPrecision {
        name: "bf16",
        mantissa: 7,
        min_normal: 1.1754943508222875e-38,
        round: |x| simdwise::half::bf16::from_f64(x).to_f64(),
    };

    /// Computation is f32 and the store rounds once, so a kernel within
    /// `f32_ulps` is within 0.5 ulp of this format plus `f32_ulps` scaled
    /// down by the difference in precision.
    pub fn bound(self, f32_ulps: f64) -> f64 {
        0.5 + f32_ulps * 2f64.powi(self.mantissa - 23) + 1e-9
    }

    /// The error of `got` against the exact `want`, in ulps of this format
    /// at the correctly rounded result. NaN must meet NaN, an infinite
    /// result must be matched exactly, a zero must carry the exact zero's sign.
    pub fn ulp_error(self, got: f64, want: f64) -> f64 {
        let rounded = (self.round)(want);
        if want.is_nan() || got.is_nan() {
            return if want.is_nan() && got.is_nan() {
                0.0
            } else {
                f64::INFINITY
            };
        }
        if rounded.is_infinite() || got.is_infinite() {
            return if got == rounded { 0.0 } else { f64::INFINITY };
        }
        if got == 0.0 && want == 0.0 && got.is_sign_negative() != want.is_sign_negative() {
            return f64::INFINITY;
        }
        let exponent = rounded.abs().max(self.min_normal).log2().floor() as i32;
        (got - want).abs() / 2f64.powi(exponent - self.mantissa)
    }
}
