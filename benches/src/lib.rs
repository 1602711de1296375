//! Shared by the benches and the demo: calling any kernel through its
//! descriptor with generated inputs.

use simdwise::reference::SCALAR_ARG;
use simdwise::runtime::Plan;
use simdwise::{Isa, Kernel, KernelError};

/// How benchmark inputs are spread.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Distribution {
    /// Uniform over `[lo, hi]`.
    Uniform(f32, f32),
    /// `10^u` with `u` uniform over `[lo, hi]`.
    Pow10(f32, f32),
}

impl Distribution {
    /// What callers typically pass, the headline of every comparison: uniform
    /// on [-10, 10]; `10^[-3, 3]` for the ops of positive numbers (log, sqrt,
    /// reciprocal); [-1000, 1000] for add and mul.
    pub fn typical(kernel: &Kernel) -> Distribution {
        match kernel.name() {
            "log" | "sqrt" | "reciprocal" => Distribution::Pow10(-3.0, 3.0),
            "add" | "mul" => Distribution::Uniform(-1000.0, 1000.0),
            _ => Distribution::Uniform(-10.0, 10.0),
        }
    }

    /// The op's whole interesting range (`simdwise::reference::range`), out to
    /// where results overflow or become subnormal: where other libraries take
    /// slow paths.
    pub fn full_range(kernel: &Kernel) -> Distribution {
        let (lo, hi) = simdwise::reference::range(kernel.name());
        Distribution::Uniform(lo, hi)
    }

    /// `(kind, lo, hi)`, as the Python worker takes them.
    pub fn parts(self) -> (&'static str, f32, f32) {
        match self {
            Distribution::Uniform(lo, hi) => ("uniform", lo, hi),
            Distribution::Pow10(lo, hi) => ("pow10", lo, hi),
        }
    }
}

/// Inputs for `kernel` over its full range: `kernel.inputs.len()` streams of
/// `n` values, deterministic.
pub fn inputs(kernel: &Kernel, n: usize) -> Vec<Vec<f32>> {
    inputs_from(kernel, n, Distribution::full_range(kernel))
}

/// Inputs for `kernel` drawn from `distribution`, deterministic.
pub fn inputs_from(kernel: &Kernel, n: usize, distribution: Distribution) -> Vec<Vec<f32>> {
    let (_, lo, hi) = distribution.parts();
    let mut state = 0x9e37_79b9_7f4a_7c15u64 ^ n as u64;
    (0..kernel.inputs().len())
        .map(|_| {
            (0..n)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    let unit = (state >> 40) as f32 / (1u64 << 24) as f32;
                    let u = lo + (hi - lo) * unit;
                    match distribution {
                        Distribution::Uniform(..) => u,
                        Distribution::Pow10(..) => 10f32.powf(u),
                    }
                })
                .collect()
        })
        .collect()
}

/// Runs `kernel` on `inputs` into `out` with `isa`, or dispatched when `None`.
pub fn call(kernel: &Kernel, isa: Option<Isa>, inputs: &[Vec<f32>], out: &mut [f32]) -> Result<(), KernelError> {
    call_as(kernel, isa.map(|isa| (isa, None)), inputs, out)
}

/// Runs `kernel` with `isa` and, when given, an explicit plan; dispatched when `None`.
pub fn call_as(
    kernel: &Kernel,
    how: Option<(Isa, Option<Plan>)>,
    inputs: &[Vec<f32>],
    out: &mut [f32],
) -> Result<(), KernelError> {
    let mut slices: [&[f32]; simdwise::runtime::MAX_INPUTS] = [&[]; simdwise::runtime::MAX_INPUTS];
    for (slot, input) in slices.iter_mut().zip(inputs) {
        *slot = input;
    }
    let slices = &slices[..inputs.len()];
    let scalars = [SCALAR_ARG; simdwise::runtime::MAX_SCALARS];
    let scalars = &scalars[..kernel.scalars().len()];
    match how {
        Some((isa, Some(plan))) => simdwise::runtime::run_planned(kernel, isa, plan, slices, scalars, out),
        Some((isa, None)) => simdwise::runtime::run_with_isa(kernel, isa, slices, scalars, out),
        None => simdwise::runtime::run(kernel, slices, scalars, out),
    }
}

pub use simdwise::runtime::cpu_model;

/// The median of timing samples.
pub fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// Rewrites the part of the file at `path` between `<!-- {name}:begin -->` and
/// `<!-- {name}:end -->` with `f(old part)`; exits with a message when the
/// markers are missing.
pub fn rewrite_section(path: &str, name: &str, f: impl FnOnce(&str) -> String) {
    let (begin, end) = (format!("<!-- {name}:begin -->"), format!("<!-- {name}:end -->"));
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let (Some(b), Some(e)) = (text.find(&begin), text.find(&end)) else {
        eprintln!("{path} has no `{begin}` .. `{end}` section");
        std::process::exit(2);
    };
    let new = f(&text[b + begin.len()..e]);
    std::fs::write(path, format!("{}{begin}\n{new}{}", &text[..b], &text[e..]))
        .unwrap_or_else(|e| panic!("{path}: {e}"));
}
