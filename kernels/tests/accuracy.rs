//! Every variant this CPU can run, of every kernel, against an f64 reference:
//! special values, 1M random inputs over each op's range, and random bit
//! patterns over the whole f32 line. The max ULP error must stay within the
//! kernel's declared bound, and NaN must come out as NaN.

mod common;

use common::{Case, Rng, cases, special_values};
use simdwise_testkit::ulp_error;

/// Runs `case` with `isa` over `inputs` (the second stream, if any, is `second`)
/// and returns the worst error and where it occurred.
fn worst(case: &Case, isa: simdwise::Isa, first: &[f32], second: &[f32]) -> (f64, Vec<f32>, f32) {
    let binary = case.kernel.inputs().len() == 2;
    let mut out = vec![0.0f32; first.len()];
    let inputs: Vec<&[f32]> = if binary { vec![first, second] } else { vec![first] };
    (case.run)(isa, &inputs, &mut out).unwrap();
    let mut worst = (0.0, vec![], 0.0);
    for i in 0..first.len() {
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

fn check(label: &str, first: &[f32], second: &[f32]) {
    let mut failures = Vec::new();
    for case in cases() {
        for isa in case.kernel.runnable_isas() {
            let (err, at, got) = worst(&case, isa, first, second);
            let bound = f64::from(case.kernel.max_ulp());
            println!(
                "{label:>8} {:>10} {:>7}: max {err:.3} ulp (bound {bound})",
                case.kernel.name(),
                isa.name()
            );
            if err > bound {
                failures.push(format!(
                    "{} [{isa}] on {label}: {err} ulp at inputs {at:?} (got {got:e}), bound {bound}",
                    case.kernel.name()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "accuracy bounds exceeded:\n{}",
        failures.join("\n")
    );
}

#[test]
fn special_values_within_bound() {
    let specials = special_values();
    // Binary kernels see every pair of special values.
    let mut a = Vec::new();
    let mut b = Vec::new();
    for &x in &specials {
        for &y in &specials {
            a.push(x);
            b.push(y);
        }
    }
    check("special", &a, &b);
}

#[test]
fn dense_samples_within_bound() {
    let mut failures = Vec::new();
    for case in cases() {
        let mut rng = Rng::new(0x5eed ^ case.kernel.name().len() as u64);
        let n = 1 << 20;
        let a = rng.vec(n, case.range);
        let b = rng.vec(n, case.range);
        let binary = case.kernel.inputs().len() == 2;
        for isa in case.kernel.runnable_isas() {
            let (err, at, got) = worst(&case, isa, &a, if binary { &b } else { &[] });
            let bound = f64::from(case.kernel.max_ulp());
            println!(
                "{:>10} {:>7}: max {err:.3} ulp over {:?}",
                case.kernel.name(),
                isa.name(),
                case.range
            );
            if err > bound {
                failures.push(format!(
                    "{} [{isa}]: {err} ulp at {at:?} (got {got:e}), bound {bound}",
                    case.kernel.name()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "accuracy bounds exceeded:\n{}",
        failures.join("\n")
    );
}

#[test]
fn random_bit_patterns_within_bound() {
    let mut rng = Rng::new(42);
    let a: Vec<f32> = (0..1 << 18).map(|_| f32::from_bits(rng.next_u64() as u32)).collect();
    let b: Vec<f32> = (0..1 << 18).map(|_| f32::from_bits(rng.next_u64() as u32)).collect();
    check("bits", &a, &b);
}

#[test]
fn nan_in_nan_out_everywhere() {
    let nans = [
        f32::NAN,
        -f32::NAN,
        f32::from_bits(0x7f80_0001),
        f32::from_bits(0xffc0_1234),
    ];
    let x: Vec<f32> = nans.iter().cycle().take(37).copied().collect();
    let ones = vec![1.0f32; x.len()];
    for case in cases() {
        for isa in case.kernel.runnable_isas() {
            let mut out = vec![0.0; x.len()];
            let inputs: Vec<&[f32]> = if case.kernel.inputs().len() == 2 {
                vec![&ones, &x]
            } else {
                vec![&x]
            };
            (case.run)(isa, &inputs, &mut out).unwrap();
            assert!(
                out.iter().all(|v| v.is_nan()),
                "{} [{isa}] lost a NaN: {out:?}",
                case.kernel.name()
            );
        }
    }
}
