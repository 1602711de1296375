//! Bad calls fail with an error that names the kernel and what was wrong, and
//! leave the output untouched.

use simdwise::{Isa, KernelError};

#[test]
fn length_mismatch_names_kernel_input_and_lengths() {
    let a = [1.0f32; 8];
    let b = [1.0f32; 7];
    let mut out = [42.0f32; 8];
    let err = simdwise::add(&a, &b, &mut out).unwrap_err();
    assert_eq!(
        err,
        KernelError::LengthMismatch {
            kernel: "add",
            input: "b",
            input_len: 7,
            output_len: 8
        }
    );
    let message = err.to_string();
    assert!(
        message.contains("`add`") && message.contains("`b`") && message.contains('7') && message.contains('8'),
        "{message}"
    );
    assert!(out.iter().all(|&v| v == 42.0), "output was written on error");

    let mut short = [42.0f32; 3];
    let err = simdwise::tanh(&a, &mut short).unwrap_err();
    assert_eq!(
        err,
        KernelError::LengthMismatch {
            kernel: "tanh",
            input: "x",
            input_len: 8,
            output_len: 3
        }
    );
    assert!(short.iter().all(|&v| v == 42.0));

    let mut io = [42.0f32; 8];
    let err = simdwise::mul::in_place(&mut io, &b).unwrap_err();
    assert_eq!(
        err,
        KernelError::LengthMismatch {
            kernel: "mul",
            input: "b",
            input_len: 7,
            output_len: 8
        }
    );
    assert!(io.iter().all(|&v| v == 42.0));
}

#[test]
fn unavailable_isa_is_an_error_not_undefined_behaviour() {
    let foreign = if cfg!(target_arch = "x86_64") {
        Isa::Neon
    } else {
        Isa::Avx512
    };
    assert!(!foreign.is_available());
    let x = [1.0f32; 4];
    let mut out = [42.0f32; 4];
    let err = simdwise::relu::with_isa(foreign, &x, &mut out).unwrap_err();
    assert_eq!(err, KernelError::IsaUnavailable { isa: foreign });
    assert!(err.to_string().contains(foreign.name()));
    assert!(out.iter().all(|&v| v == 42.0));
    assert_eq!(
        simdwise::runtime::force_isa(foreign),
        Err(KernelError::IsaUnavailable { isa: foreign })
    );
}

#[test]
fn wrong_argument_count_through_the_runtime_is_an_error() {
    let x = [1.0f32; 4];
    let mut out = [0.0f32; 4];
    let err = simdwise::runtime::run(&simdwise::add::KERNEL, &[&x], &[], &mut out).unwrap_err();
    assert!(
        matches!(err, KernelError::ArgumentCount { kernel: "add", .. }),
        "{err:?}"
    );
    let err = simdwise::runtime::run(&simdwise::leaky_relu::KERNEL, &[&x], &[], &mut out).unwrap_err();
    assert!(err.to_string().contains("leaky_relu"), "{err}");
}

#[test]
fn unknown_isa_name_is_an_error() {
    let err = "avx1024".parse::<Isa>().unwrap_err();
    assert!(
        err.to_string().contains("avx1024") && err.to_string().contains("avx512"),
        "{err}"
    );
    assert_eq!("AVX2".parse::<Isa>(), Ok(Isa::Avx2));
}
