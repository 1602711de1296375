//! Every variant this CPU runs, of every kernel of this crate, against an f64
//! reference, with the testkit's special values and dense samples.

use simdwise_testkit::Accuracy;

fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        x.exp() / (1.0 + x.exp())
    }
}

/// GELU, tanh form, as `x sigmoid(2u)` (no cancellation for negative x).
fn gelu(x: f64) -> f64 {
    if x == f64::NEG_INFINITY {
        return -0.0;
    }
    let u = (2.0 / std::f64::consts::PI).sqrt() * (x + 0.044715 * x * x * x);
    x * sigmoid(2.0 * u)
}

fn silu(x: f64) -> f64 {
    if x == f64::NEG_INFINITY { -0.0 } else { x * sigmoid(x) }
}

/// The f32 sum the kernel computes, then the exact function of it.
fn rounded_sum(a: f64, b: f64) -> f64 {
    f64::from(a as f32 + b as f32)
}

fn check(accuracy: Accuracy) {
    match accuracy.run() {
        Ok(report) => println!("{report}"),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn bias_gelu_within_its_bound() {
    check(Accuracy::new(&my_kernels::bias_gelu::KERNEL, |a| {
        gelu(rounded_sum(a[0], a[1]))
    }));
}

/// silu where it is subnormal (|x| < 2^-125): `x/2 + x^2/4` is a tie of the
/// subnormal grid plus a part f64 cannot hold, which rounds the tie up:
/// `floor((n + 1) / 2)` units for `x = n 2^-149`, rounded to f32 as the kernel
/// must.
fn silu_subnormal(x: f64) -> f32 {
    let unit = f64::from(f32::from_bits(1));
    (((x / unit + 1.0) / 2.0).floor() * unit).copysign(x) as f32
}

#[test]
fn swiglu_within_its_bound() {
    // silu(a) b exactly, or with silu rounded where it is subnormal: there,
    // and below a = -87, silu has fewer significant bits than a product's
    // bound in ulps can absorb, so the domain leaves a < -87 out.
    check(
        Accuracy::new(&my_kernels::swiglu::KERNEL, |a| {
            if a[0].abs() < 2.0 * f64::from(f32::MIN_POSITIVE) {
                f64::from(silu_subnormal(a[0])) * a[1]
            } else {
                silu(a[0]) * a[1]
            }
        })
        .domain(|a| a[0] >= -87.0 || a[0].is_nan()),
    );
}

#[test]
fn leaky_is_exact() {
    check(
        Accuracy::new(
            &my_kernels::leaky::KERNEL,
            |a| if a[0] > 0.0 { a[0] } else { a[1] * a[0] },
        )
        .scalars(&[0.01]),
    );
}

#[test]
fn affine_relu_is_correctly_rounded_after_the_product() {
    check(Accuracy::new(&my_kernels::affine_relu::KERNEL, |a| {
        let y = f64::from((a[0] * a[1]) as f32) + a[2];
        if y.is_nan() { y } else { y.max(0.0) }
    }));
}

#[test]
fn a_wrong_bound_is_caught_with_the_worst_input() {
    // A deliberately wrong reference (off by 1%): the check must fail and say where.
    let err = Accuracy::new(&my_kernels::leaky::KERNEL, |a| {
        if a[0] > 0.0 { a[0] * 1.01 } else { a[1] * a[0] }
    })
    .scalars(&[0.01])
    .samples(1_000)
    .run()
    .expect_err("a 1% error exceeds 0.5 ulp");
    let message = err.to_string();
    assert!(message.starts_with("kernel `leaky`, variant "), "{message}");
    assert!(message.contains("exceeds the declared max_ulp = 0.5"), "{message}");
}
