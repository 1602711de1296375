use simdwise_macros::kernel;

/// An f64 helper: f64 in, f64 out, inlined into kernels on CPU targets.
#[kernel]
fn square_plus_one(w: f64) -> f64 {
    fma(w, w, 1.0)
}

/// `x^2 + 1` rounded once: in f64 lanes on CPU targets, and in f32 (two
/// roundings) in the shader, which has no f64.
#[kernel]
fn one_plus_square(x: f32) -> f32 {
    with_f64(narrow(square_plus_one(widen(x))), x * x + 1.0)
}

fn main() {
    // The exact 2 + 2^-11 + 2^-24, rounded once.
    let x = 1.0 + 2f32.powi(-12);
    let mut out = [0.0];
    one_plus_square(&[x], &mut out).unwrap();
    let exact = 1.0 + f64::from(x) * f64::from(x);
    assert_eq!(out[0], exact as f32);
}
