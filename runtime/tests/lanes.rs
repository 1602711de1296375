//! The two-vector bf16 conversions (`lanes::<isa>::{load,store}_bf16x2`): a
//! load and a store give back every one of the 65,536 bf16 values, NaN kept
//! NaN (quiet), whatever lane order the module chooses in between. One test
//! per module; one this CPU cannot run shows as ignored, `[not on this CPU]`.

use libtest_mimic::{Arguments, Failed, Trial};

/// Every bf16 bit pattern through `pass`, `step` values at a time: each comes
/// back with equal bits, or as a quiet NaN with the same sign and payload.
fn round_trip(step: usize, pass: impl Fn(*const u16, *mut u16)) -> Result<(), Failed> {
    let input: Vec<u16> = (0..=u16::MAX).collect();
    let mut out = vec![0u16; input.len()];
    for (src, dst) in input.chunks_exact(step).zip(out.chunks_exact_mut(step)) {
        pass(src.as_ptr(), dst.as_mut_ptr());
    }
    for (&x, &y) in input.iter().zip(&out) {
        let expected = if x & 0x7fff > 0x7f80 { x | 0x0040 } else { x };
        if y != expected {
            return Err(format!("{x:#06x} came back as {y:#06x}").into());
        }
    }
    Ok(())
}

/// A module's test: what it checks, and whether this CPU can run it.
fn trial(module: &str, available: bool, test: fn() -> Result<(), Failed>) -> Trial {
    let trial = Trial::test(format!("lanes::{module}::bf16x2"), test);
    if available {
        trial
    } else {
        trial.with_ignored_flag(true).with_kind("not on this CPU")
    }
}

#[cfg(target_arch = "x86_64")]
fn trials() -> Vec<Trial> {
    use simdwise_runtime::lanes;

    #[target_feature(enable = "avx512f")]
    unsafe fn avx512(src: *const u16, dst: *mut u16) {
        // SAFETY: both point at 32 values (the step below); the trial runs
        // only where the CPU has the features.
        unsafe {
            let (a, b) = lanes::avx512::load_bf16x2(src);
            lanes::avx512::store_bf16x2(dst, a, b)
        }
    }
    #[target_feature(enable = "avx512f,avx512bf16,avx512bw,avx512dq")]
    unsafe fn avx512bf16(src: *const u16, dst: *mut u16) {
        // SAFETY: as in `avx512`.
        unsafe {
            let (a, b) = lanes::avx512bf16::load_bf16x2(src);
            lanes::avx512bf16::store_bf16x2(dst, a, b)
        }
    }
    #[target_feature(enable = "avx2")]
    unsafe fn avx2(src: *const u16, dst: *mut u16) {
        // SAFETY: both point at 16 values; as in `avx512`.
        unsafe {
            let (a, b) = lanes::avx2::load_bf16x2(src);
            lanes::avx2::store_bf16x2(dst, a, b)
        }
    }
    let has_avx512 = is_x86_feature_detected!("avx512f");
    let has_bf16 = has_avx512
        && is_x86_feature_detected!("avx512bf16")
        && is_x86_feature_detected!("avx512bw")
        && is_x86_feature_detected!("avx512dq");
    vec![
        // SAFETY (each closure): the trial is ignored unless the CPU has the
        // function's features.
        trial("avx512", has_avx512, || round_trip(32, |s, d| unsafe { avx512(s, d) })),
        trial("avx512bf16", has_bf16, || {
            round_trip(32, |s, d| unsafe { avx512bf16(s, d) })
        }),
        trial("avx2", is_x86_feature_detected!("avx2"), || {
            round_trip(16, |s, d| unsafe { avx2(s, d) })
        }),
    ]
}

#[cfg(target_arch = "aarch64")]
fn trials() -> Vec<Trial> {
    use simdwise_runtime::lanes;

    #[target_feature(enable = "neon")]
    unsafe fn neon(src: *const u16, dst: *mut u16) {
        // SAFETY: both point at 8 values (the step below); NEON is checked.
        unsafe {
            let (a, b) = lanes::neon::load_bf16x2(src);
            lanes::neon::store_bf16x2(dst, a, b)
        }
    }
    let has_neon = std::arch::is_aarch64_feature_detected!("neon");
    // SAFETY: the trial is ignored unless the CPU has NEON.
    vec![trial("neon", has_neon, || round_trip(8, |s, d| unsafe { neon(s, d) }))]
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
fn trials() -> Vec<Trial> {
    Vec::new()
}

fn main() {
    libtest_mimic::run(&Arguments::from_args(), trials()).exit();
}
