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

use kernels::reference::SCALAR_ARG;

pub fn cases() -> Vec<Case> {
    let run: [(&'static Kernel, RunFn); 20] = [
        (&kernels::relu::KERNEL, |isa, i, o| {
            kernels::relu::with_isa(isa, i[0], o)
        }),
        (&kernels::leaky_relu::KERNEL, |isa, i, o| {
            kernels::leaky_relu::with_isa(isa, i[0], SCALAR_ARG, o)
        }),
        (&kernels::add::KERNEL, |isa, i, o| {
            kernels::add::with_isa(isa, i[0], i[1], o)
        }),
        (&kernels::mul::KERNEL, |isa, i, o| {
            kernels::mul::with_isa(isa, i[0], i[1], o)
        }),
        (&kernels::exp::KERNEL, |isa, i, o| kernels::exp::with_isa(isa, i[0], o)),
        (&kernels::tanh::KERNEL, |isa, i, o| {
            kernels::tanh::with_isa(isa, i[0], o)
        }),
        (&kernels::sigmoid::KERNEL, |isa, i, o| {
            kernels::sigmoid::with_isa(isa, i[0], o)
        }),
        (&kernels::silu::KERNEL, |isa, i, o| {
            kernels::silu::with_isa(isa, i[0], o)
        }),
        (&kernels::gelu::KERNEL, |isa, i, o| {
            kernels::gelu::with_isa(isa, i[0], o)
        }),
        (&kernels::exp2::KERNEL, |isa, i, o| {
            kernels::exp2::with_isa(isa, i[0], o)
        }),
        (&kernels::log::KERNEL, |isa, i, o| kernels::log::with_isa(isa, i[0], o)),
        (&kernels::expm1::KERNEL, |isa, i, o| {
            kernels::expm1::with_isa(isa, i[0], o)
        }),
        (&kernels::sqrt::KERNEL, |isa, i, o| {
            kernels::sqrt::with_isa(isa, i[0], o)
        }),
        (&kernels::reciprocal::KERNEL, |isa, i, o| {
            kernels::reciprocal::with_isa(isa, i[0], o)
        }),
        (&kernels::softplus::KERNEL, |isa, i, o| {
            kernels::softplus::with_isa(isa, i[0], o)
        }),
        (&kernels::elu::KERNEL, |isa, i, o| {
            kernels::elu::with_isa(isa, i[0], SCALAR_ARG, o)
        }),
        (&kernels::hardswish::KERNEL, |isa, i, o| {
            kernels::hardswish::with_isa(isa, i[0], o)
        }),
        (&kernels::abs::KERNEL, |isa, i, o| kernels::abs::with_isa(isa, i[0], o)),
        (&kernels::erf::KERNEL, |isa, i, o| kernels::erf::with_isa(isa, i[0], o)),
        (&kernels::gelu_erf::KERNEL, |isa, i, o| {
            kernels::gelu_erf::with_isa(isa, i[0], o)
        }),
    ];
    assert_eq!(
        run.len(),
        kernels::ALL.len(),
        "a kernel of kernels::ALL has no test case"
    );
    run.into_iter()
        .map(|(kernel, run)| Case {
            kernel,
            run,
            reference: kernels::reference::of(kernel),
            range: kernels::reference::range(kernel.name),
        })
        .collect()
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
        // sigmoid, silu: the scaled branch and the clamps.
        -80.0,
        -80.00001,
        -120.0,
        20.0,
        -20.0,
        // softplus: the series and the e^x branch; expm1: the exp branch.
        17.0,
        -17.0,
        -10.0,
        // erf, gelu_erf: the polynomial/erfc switch, the split of V, saturation.
        0.921875,
        -0.921875,
        1.3037,
        -1.3037,
        2.5641026,
        -2.5641026,
        3.92,
        4.0,
        14.6,
        -14.6,
        // hardswish: the linear pieces and the subnormal grid.
        3.0,
        -3.0,
        2.3509887e-38,
        -2.3509887e-38,
        f32::from_bits(3),
        -f32::from_bits(3),
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

pub use kernel_testkit::Rng;
