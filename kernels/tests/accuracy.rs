//! Every variant of every kernel against an f64 reference: special values
//! (every combination, for kernels of several inputs), 1M random inputs over
//! each op's range, random bit patterns over the whole f32 line, and NaN in,
//! NaN out. Each property x kernel x ISA is its own named test
//! (`dense::tanh::avx2`; filter with `cargo test --test accuracy -- tanh`);
//! an ISA this CPU lacks shows as an ignored test marked `[not on this CPU]`.

mod common;

use common::{Case, Rng, per_isa_trials, special_values};
use libtest_mimic::{Arguments, Failed};
use simdwise::Isa;
use simdwise_testkit::ulp_error;

fn main() {
    let args = Arguments::from_args();
    let trials = per_isa_trials(&[
        ("special", special_values_within_bound),
        ("dense", dense_samples_within_bound),
        ("bits", random_bit_patterns_within_bound),
        ("nan", nan_in_nan_out),
    ]);
    libtest_mimic::run(&args, trials).exit();
}

/// The worst error of `isa` on `streams` (one per input) and where it occurred.
fn worst(case: &Case, isa: Isa, streams: &[Vec<f32>]) -> (f64, Vec<f32>, f32) {
    let n = streams[0].len();
    let mut out = vec![0.0f32; n];
    let inputs: Vec<&[f32]> = streams.iter().map(Vec::as_slice).collect();
    (case.run)(isa, &inputs, &mut out).unwrap();
    let mut worst = (0.0, vec![], 0.0);
    for i in 0..n {
        let args: Vec<f64> = inputs.iter().map(|s| f64::from(s[i])).collect();
        let want = (case.reference)(&args);
        // A zero result must carry the exact result's sign.
        let sign_ok = !(out[i] == 0.0 && want == 0.0) || out[i].is_sign_negative() == want.is_sign_negative();
        let err = if sign_ok {
            ulp_error(out[i], want)
        } else {
            f64::INFINITY
        };
        if err > worst.0 {
            worst = (err, inputs.iter().map(|s| s[i]).collect(), out[i]);
        }
    }
    worst
}

fn within_bound(case: &Case, isa: Isa, label: &str, streams: &[Vec<f32>]) -> Result<(), Failed> {
    let (err, at, got) = worst(case, isa, streams);
    let bound = f64::from(case.kernel.max_ulp());
    if err > bound {
        return Err(format!("{label}: {err} ulp at inputs {at:?} (got {got:e}), bound {bound}").into());
    }
    Ok(())
}

/// Every combination of special values across the inputs (the third and
/// later inputs cycle through them).
fn special_values_within_bound(case: &Case, isa: Isa) -> Result<(), Failed> {
    let specials = special_values();
    let arity = case.kernel.inputs().len();
    let (n, m) = (specials.len(), if arity == 1 { 1 } else { specials.len() });
    let streams: Vec<Vec<f32>> = (0..arity)
        .map(|input| {
            (0..n * m)
                .map(|i| match input {
                    0 => specials[i / m],
                    1 => specials[i % m],
                    _ => specials[(i * 7 + input) % n],
                })
                .collect()
        })
        .collect();
    within_bound(case, isa, "special values", &streams)
}

fn dense_samples_within_bound(case: &Case, isa: Isa) -> Result<(), Failed> {
    let mut rng = Rng::new(0x5eed ^ case.kernel.name().len() as u64);
    let streams: Vec<Vec<f32>> = (0..case.kernel.inputs().len())
        .map(|_| rng.vec(1 << 20, case.range))
        .collect();
    within_bound(case, isa, &format!("samples over {:?}", case.range), &streams)
}

fn random_bit_patterns_within_bound(case: &Case, isa: Isa) -> Result<(), Failed> {
    let mut rng = Rng::new(42);
    let streams: Vec<Vec<f32>> = (0..case.kernel.inputs().len())
        .map(|_| (0..1 << 18).map(|_| f32::from_bits(rng.next_u64() as u32)).collect())
        .collect();
    within_bound(case, isa, "random bit patterns", &streams)
}

/// A NaN in any input gives NaN, at every position of a vector and the tail.
fn nan_in_nan_out(case: &Case, isa: Isa) -> Result<(), Failed> {
    let nans = [
        f32::NAN,
        -f32::NAN,
        f32::from_bits(0x7f80_0001),
        f32::from_bits(0xffc0_1234),
    ];
    let x: Vec<f32> = nans.iter().cycle().take(37).copied().collect();
    let ones = vec![1.0f32; x.len()];
    for nan_at in 0..case.kernel.inputs().len() {
        let streams: Vec<&[f32]> = (0..case.kernel.inputs().len())
            .map(|i| if i == nan_at { x.as_slice() } else { ones.as_slice() })
            .collect();
        let mut out = vec![0.0; x.len()];
        (case.run)(isa, &streams, &mut out).unwrap();
        if !out.iter().all(|v| v.is_nan()) {
            return Err(format!("a NaN in input {nan_at} was lost: {out:?}").into());
        }
    }
    Ok(())
}
