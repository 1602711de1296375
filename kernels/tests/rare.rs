//! `rare(c, a, b)` is `select(c, a, b)` on every variant, wherever the rare
//! lane sits in the vector, alone or with others; and `ldexp` (whose exact
//! path is a rare branch) agrees with the plain product where both apply.

use simdwise_macros::kernel;

#[kernel]
fn rare_branch(x: f32) -> f32 {
    rare(x > 100.0, x * 2.0, x + 1.0)
}

#[kernel]
fn scaled(x: f32, k: f32) -> f32 {
    ldexp(x, k)
}

#[test]
fn rare_lanes_anywhere_get_the_rare_value() {
    for isa in rare_branch::KERNEL.runnable_isas() {
        for rare_at in 0..40 {
            let mut x: Vec<f32> = (0..40).map(|i| i as f32).collect();
            x[rare_at] = 1000.0;
            x[(rare_at * 7) % 40] = 500.0;
            let mut out = vec![0.0; x.len()];
            rare_branch::with_isa(isa, &x, &mut out).unwrap();
            for (i, (&xi, &yi)) in x.iter().zip(&out).enumerate() {
                let want = if xi > 100.0 { xi * 2.0 } else { xi + 1.0 };
                assert_eq!(yi, want, "[{isa}] lane {i} with the rare lane at {rare_at}");
            }
        }
    }
}

#[test]
fn ldexp_is_one_rounding_on_both_paths() {
    // Normal results (fast path), subnormal results and large |k| (exact path), mixed.
    let x = [
        1.5f32,
        -3.0,
        1.0,
        0.75,
        5.0 * f32::from_bits(1),
        1.0,
        3.0,
        -1.0e-30,
        0.0,
        2.0,
    ];
    let k = [3.0f32, -10.0, -140.0, 128.0, 3.0, -149.0, 200.0, -100.0, 5.0, -127.0];
    let want: Vec<f32> = x
        .iter()
        .zip(&k)
        .map(|(&x, &k)| (f64::from(x) * 2f64.powf(f64::from(k))) as f32)
        .collect();
    for isa in scaled::KERNEL.runnable_isas() {
        let mut out = [0.0f32; 10];
        scaled::with_isa(isa, &x, &k, &mut out).unwrap();
        for i in 0..x.len() {
            assert_eq!(out[i].to_bits(), want[i].to_bits(), "[{isa}] ldexp({}, {})", x[i], k[i]);
        }
    }
}

/// One rounding where a two-step scaling would round twice: subnormal inputs
/// scaled down (`ldexp(5 * 2^-149, -3)` is 2^-149: 0.625 units, while rounding
/// 1.25 units to 1 and then halving ties 0.5 to 0), normal inputs scaled into
/// the subnormal range, and every k that reaches it, and |k| up to 282 (huge
/// inputs scaled into the subnormal range, subnormal ones up to overflow),
/// against the f64 product rounded once. The generic expansion and AVX-512's
/// `vscalefps` must agree with it and with each other.
#[test]
fn ldexp_rounds_once_for_every_k() {
    let mut x: Vec<f32> = (0..4096u32).map(f32::from_bits).collect();
    x.extend((0..4096u32).map(|i| f32::from_bits(0x0080_0000 + i * 0x0001_0fff)));
    x.extend((0..512u32).map(|i| f32::from_bits(0x3f80_0000 + i * 0x0000_4001)));
    x.extend((0..512u32).map(|i| f32::from_bits(0x7e80_0000 + i * 0x0000_7fff)));
    let x: Vec<f32> = x.iter().flat_map(|&v| [v, -v]).collect();
    // Beyond |k| = 252 only huge x (k < 0) and subnormal x (k > 0) give
    // results other than 0 and inf; up to |k| = 278 some of them are finite.
    let ks = (-160..=24)
        .chain(-282..=-240)
        .chain(240..=282)
        .chain([-300, 100, 200, 300]);
    for isa in scaled::KERNEL.runnable_isas() {
        for k in ks.clone() {
            let ks = vec![k as f32; x.len()];
            let mut out = vec![0.0f32; x.len()];
            scaled::with_isa(isa, &x, &ks, &mut out).unwrap();
            for (&xi, &yi) in x.iter().zip(&out) {
                let want = (f64::from(xi) * 2f64.powi(k)) as f32;
                assert_eq!(
                    yi.to_bits(),
                    want.to_bits(),
                    "[{isa}] ldexp({xi:e} = {:#010x}, {k})",
                    xi.to_bits()
                );
            }
        }
    }
}
