//! Shared by the benches and the demo: calling any kernel through its
//! descriptor with generated inputs.

use kernels::reference::SCALAR_ARG;
use kernels::{Isa, Kernel, KernelError};

/// Inputs for `kernel`: `kernel.inputs.len()` streams of `n` values, uniform
/// over the op's interesting range (`kernels::reference::range`), deterministic.
pub fn inputs(kernel: &Kernel, n: usize) -> Vec<Vec<f32>> {
    let (lo, hi) = kernels::reference::range(kernel.name);
    let mut state = 0x9e37_79b9_7f4a_7c15u64 ^ n as u64;
    (0..kernel.inputs.len())
        .map(|_| {
            (0..n)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    let unit = (state >> 40) as f32 / (1u64 << 24) as f32;
                    lo + (hi - lo) * unit
                })
                .collect()
        })
        .collect()
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

/// The CPU's model name (Linux), or the architecture.
pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_owned())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_owned())
}

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
