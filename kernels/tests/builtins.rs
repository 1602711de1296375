//! The builtins' stated semantics, on every variant this CPU runs (the list of
//! ISAs it lacks is printed): exact error terms within their stated ranges,
//! rounding ties to even, `min`/`max` on ties and NaN, `clamp` with NaN and
//! crossed bounds.

use simdwise::Isa;
use simdwise_macros::kernel;
use simdwise_testkit::{Rng, same_result};

#[kernel]
fn product_error(a: f32, b: f32) -> f32 {
    mul_lo(a, b)
}

#[kernel]
fn sum_error(a: f32, b: f32) -> f32 {
    add_lo(a, b)
}

#[kernel]
fn rounded(x: f32) -> f32 {
    round(x)
}

#[kernel]
fn larger(a: f32, b: f32) -> f32 {
    max(a, b)
}

#[kernel]
fn smaller(a: f32, b: f32) -> f32 {
    min(a, b)
}

#[kernel]
fn clamped(x: f32, lo: f32, hi: f32) -> f32 {
    clamp(x, lo, hi)
}

fn isas(kernel: &simdwise::Kernel) -> Vec<Isa> {
    let skipped: Vec<Isa> = kernel.isas().filter(|i| !i.is_available()).collect();
    if !skipped.is_empty() {
        println!("{}: SKIPPED on this CPU: {skipped:?}", kernel.name());
    }
    kernel.runnable_isas().collect()
}

/// A float with a random significand and a random exponent in `[lo, hi]`.
fn scaled(rng: &mut Rng, lo: i32, hi: i32) -> f32 {
    let m = 1.0 + (rng.next_u64() >> 40) as f32 / (1u64 << 24) as f32;
    let e = lo + (rng.next_u64() % (hi - lo + 1) as u64) as i32;
    let s = if rng.next_u64() & 1 == 0 { 1.0 } else { -1.0 };
    s * m * 2f32.powi(e)
}

#[test]
fn mul_lo_is_exact_within_its_range() {
    // |a|, |b| < 2^115 and |a b| >= 2^-102.
    let mut rng = Rng::new(5);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    while a.len() < 100_000 {
        let (x, y) = (scaled(&mut rng, -60, 114), scaled(&mut rng, -60, 114));
        let p = f64::from(x) * f64::from(y);
        if p.abs() >= 2f64.powi(-102) && p.abs() < f64::from(f32::MAX) {
            a.push(x);
            b.push(y);
        }
    }
    for isa in isas(&product_error::KERNEL) {
        let mut out = vec![0.0; a.len()];
        product_error::with_isa(isa, &a, &b, &mut out).unwrap();
        for i in 0..a.len() {
            let exact = f64::from(a[i]) * f64::from(b[i]) - f64::from(a[i] * b[i]);
            assert_eq!(f64::from(out[i]), exact, "[{isa}] mul_lo({:e}, {:e})", a[i], b[i]);
        }
    }
}

#[test]
fn add_lo_is_exact_where_the_sum_does_not_overflow() {
    let mut rng = Rng::new(6);
    let mut a: Vec<f32> = (0..100_000).map(|_| scaled(&mut rng, -149, 126)).collect();
    let mut b: Vec<f32> = (0..100_000).map(|_| scaled(&mut rng, -149, 126)).collect();
    // Near FLT_MAX, and operands far apart.
    a.extend([f32::MAX, f32::MAX, 1e38, 1.0, 1e-40]);
    b.extend([-f32::MAX, -1e30, 1e38, 1e-30, 3e38]);
    for isa in isas(&sum_error::KERNEL) {
        let mut out = vec![0.0; a.len()];
        sum_error::with_isa(isa, &a, &b, &mut out).unwrap();
        for i in 0..a.len() {
            // a + b = s + e exactly (TwoSum in f64); the f32 error is
            // representable, so the f64 sum below is exact.
            let (x, y) = (f64::from(a[i]), f64::from(b[i]));
            let s = x + y;
            let t = s - x;
            let e = (x - (s - t)) + (y - t);
            let exact = (s - f64::from(a[i] + b[i])) + e;
            assert_eq!(f64::from(out[i]), exact, "[{isa}] add_lo({:e}, {:e})", a[i], b[i]);
        }
    }
}

#[test]
fn round_ties_to_even_and_keeps_the_sign() {
    let x = [0.5f32, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999997, 8388607.5, -0.0, 1e10];
    let want = [0.0f32, 2.0, 2.0, -0.0, -2.0, -2.0, 0.0, 8388608.0, -0.0, 1e10];
    for isa in isas(&rounded::KERNEL) {
        let mut out = [0.0; 10];
        rounded::with_isa(isa, &x, &mut out).unwrap();
        for i in 0..x.len() {
            assert_eq!(out[i].to_bits(), want[i].to_bits(), "[{isa}] round({})", x[i]);
        }
    }
}

#[test]
fn min_and_max_take_the_second_operand_on_ties_and_propagate_nan() {
    let nan = f32::NAN;
    let a = [0.0f32, -0.0, 1.0, nan, 2.0, -3.0];
    let b = [-0.0f32, 0.0, 1.0, 1.0, nan, 4.0];
    let max_want = [-0.0f32, 0.0, 1.0, nan, nan, 4.0];
    let min_want = [-0.0f32, 0.0, 1.0, nan, nan, -3.0];
    for isa in isas(&larger::KERNEL) {
        let (mut hi, mut lo) = ([0.0; 6], [0.0; 6]);
        larger::with_isa(isa, &a, &b, &mut hi).unwrap();
        smaller::with_isa(isa, &a, &b, &mut lo).unwrap();
        for i in 0..a.len() {
            assert!(
                same_result(hi[i], max_want[i]),
                "[{isa}] max({}, {}) = {}",
                a[i],
                b[i],
                hi[i]
            );
            assert!(
                same_result(lo[i], min_want[i]),
                "[{isa}] min({}, {}) = {}",
                a[i],
                b[i],
                lo[i]
            );
        }
    }
}

#[test]
fn clamp_keeps_nan_and_crossed_bounds_give_the_upper_one() {
    let x = [f32::NAN, 5.0, 0.0, 2.0, -1.0];
    let lo = [0.0f32, 3.0, 3.0, 0.0, 0.0];
    let hi = [1.0f32, 1.0, 1.0, 4.0, 4.0];
    for isa in isas(&clamped::KERNEL) {
        let mut out = [0.0; 5];
        clamped::with_isa(isa, &x, &lo, &hi, &mut out).unwrap();
        assert!(out[0].is_nan(), "[{isa}] clamp(NaN, 0, 1)");
        assert_eq!(out[1..], [1.0, 1.0, 2.0, 0.0], "[{isa}]");
    }
}
