//! The dispatched ISA: the best one detected, overridable by `KERNELS_ISA` and
//! by `force_isa`. One test in its own process, since the choice is global
//! and the environment variable is read once.

use simdwise::runtime::{ISA_ENV, active_isa, clear_forced_isa, force_isa};
use simdwise::{Isa, KernelError};

#[test]
fn environment_and_api_choose_the_isa() {
    let foreign = if cfg!(target_arch = "x86_64") {
        Isa::Neon
    } else {
        Isa::Avx512
    };
    // SAFETY: this is the only test of this binary, so no other thread reads the
    // environment concurrently.
    unsafe { std::env::set_var(ISA_ENV, foreign.name()) };
    let x = [1.0f32, -1.0];
    let mut out = [42.0f32; 2];
    assert_eq!(
        simdwise::relu(&x, &mut out),
        Err(KernelError::IsaUnavailable { isa: foreign })
    );
    assert_eq!(out, [42.0, 42.0]);

    // The API overrides the environment; every ISA this CPU has can be forced.
    for isa in Isa::available() {
        force_isa(isa).unwrap();
        assert_eq!(active_isa(), Ok(isa));
        simdwise::relu(&x, &mut out).unwrap();
        assert_eq!(out, [1.0, 0.0]);
    }
    clear_forced_isa();
    assert_eq!(active_isa(), Err(KernelError::IsaUnavailable { isa: foreign }));
}
