//! The generated API from a user's crate: dispatched, in place, each variant
//! forced, and errors as sentences.

use my_kernels::{affine_relu, bias_gelu, leaky, swiglu};
use simdwise_runtime::Isa;

#[test]
fn every_form_of_the_api_agrees() {
    let x: Vec<f32> = (0..1000).map(|i| i as f32 * 0.02 - 10.0).collect();
    let b = vec![0.5f32; x.len()];
    let mut fused = vec![0.0; x.len()];
    bias_gelu(&x, &b, &mut fused).unwrap();
    // Unfused: the library's add, then gelu, give the same bits.
    let mut sum = vec![0.0; x.len()];
    simdwise::add(&x, &b, &mut sum).unwrap();
    let mut unfused = vec![0.0; x.len()];
    simdwise::gelu(&sum, &mut unfused).unwrap();
    assert_eq!(fused, unfused);

    let mut in_place = x.clone();
    bias_gelu::in_place(&mut in_place, &b).unwrap();
    assert_eq!(in_place, fused);

    for isa in bias_gelu::KERNEL.runnable_isas() {
        let mut out = vec![0.0; x.len()];
        bias_gelu::with_isa(isa, &x, &b, &mut out).unwrap();
        for (i, (got, want)) in out.iter().zip(&fused).enumerate() {
            assert!(
                (got - want).abs() <= want.abs() * 4.0 * f32::EPSILON,
                "[{isa}] {i}: {got} vs {want}"
            );
        }
    }
    assert_eq!(bias_gelu::scalar(1.0, 0.5), simdwise::gelu::scalar(1.5));
    assert_eq!(leaky::scalar(-2.0, 0.25), -0.5);
    assert_eq!(swiglu::scalar(0.0, 3.0), 0.0);
    assert_eq!(affine_relu::scalar(2.0, 3.0, -7.0), 0.0);
    assert_eq!(affine_relu::scalar(2.0, 3.0, 1.0), 7.0);
}

#[test]
fn errors_are_sentences_naming_the_kernel() {
    let mut out = vec![0.0; 3];
    let err = affine_relu(&[1.0; 3], &[1.0; 2], &[1.0; 3], &mut out).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("affine_relu"), "{message}");
    assert!(!message.contains("LengthMismatch"), "Display, not Debug: {message}");
    assert_eq!(out, [0.0; 3], "nothing is written on error");

    // An ISA this CPU lacks is refused, never run.
    let missing = Isa::ALL.into_iter().find(|isa| !isa.is_available());
    if let Some(isa) = missing {
        let err = leaky::with_isa(isa, &[1.0], 0.1, &mut [0.0]).unwrap_err();
        assert!(err.to_string().contains(isa.name()), "{err}");
    }
}
