//! Which ISA dispatched calls use: the best this CPU has, unless forced by
//! `KERNELS_ISA` (read once) or by [`force_isa`]. The resolved choice is cached
//! in one atomic, so a dispatched call costs a load, a table index and an
//! indirect call. Where calibration found AVX2 faster than AVX-512 for a kernel
//! at some sizes, [`isa_for`] takes AVX2 there, unless an ISA is forced.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

use crate::{Isa, Kernel, KernelError, calibration};

/// The environment variable that forces an ISA, e.g. `KERNELS_ISA=avx2`.
pub const ISA_ENV: &str = "KERNELS_ISA";

const UNSET: u8 = u8::MAX;

/// The ISA forced through the API, or `UNSET`.
static FORCED: AtomicU8 = AtomicU8::new(UNSET);
/// The resolved ISA, or `UNSET` until the first call (or after a change).
static ACTIVE: AtomicU8 = AtomicU8::new(UNSET);
/// Whether `ACTIVE` is the detected best ISA (nothing forced).
static DETECTED: AtomicBool = AtomicBool::new(false);
/// What `KERNELS_ISA` asks for, checked against the CPU once.
static ENV_CHOICE: OnceLock<Result<Option<Isa>, KernelError>> = OnceLock::new();

/// The ISA dispatched calls run on. Fails only when `KERNELS_ISA` names an ISA
/// that does not exist or that this CPU lacks (and no API call overrides it).
#[inline]
pub fn active_isa() -> Result<Isa, KernelError> {
    let active = ACTIVE.load(Ordering::Relaxed);
    if active < Isa::COUNT as u8 {
        return Ok(Isa::from_index(active));
    }
    resolve()
}

#[cold]
fn resolve() -> Result<Isa, KernelError> {
    let forced = FORCED.load(Ordering::Relaxed);
    let (isa, detected) = if forced != UNSET {
        (Isa::from_index(forced), false)
    } else {
        match env_choice() {
            Ok(Some(isa)) => (*isa, false),
            Ok(None) => (Isa::best(), true),
            Err(err) => return Err(err.clone()),
        }
    };
    DETECTED.store(detected, Ordering::Relaxed);
    ACTIVE.store(isa as u8, Ordering::Relaxed);
    Ok(isa)
}

/// The ISA a dispatched call of `kernel` on `len` elements runs on: the active
/// one, or AVX2 where calibration measured it beating the detected AVX-512 at
/// that size (the calibration's `avx2_wins`).
#[inline]
pub fn isa_for(kernel: &Kernel, len: usize) -> Result<Isa, KernelError> {
    let isa = active_isa()?;
    if isa == Isa::Avx512
        && DETECTED.load(Ordering::Relaxed)
        && calibration::current()
            .0
            .avx2_wins
            .iter()
            .any(|(name, lo, hi)| (*lo..=*hi).contains(&len) && name == kernel.name())
        && kernel.variants().get(Isa::Avx2).is_some()
    {
        return Ok(Isa::Avx2);
    }
    Ok(isa)
}

fn env_choice() -> &'static Result<Option<Isa>, KernelError> {
    ENV_CHOICE.get_or_init(|| match std::env::var(ISA_ENV) {
        Ok(value) if !value.trim().is_empty() => {
            let isa: Isa = value.parse()?;
            isa.check_available()?;
            Ok(Some(isa))
        }
        _ => Ok(None),
    })
}

/// Makes every dispatched call use `isa`, for tests and benchmarks. An ISA the
/// CPU lacks is refused, never run.
pub fn force_isa(isa: Isa) -> Result<(), KernelError> {
    isa.check_available()?;
    FORCED.store(isa as u8, Ordering::Relaxed);
    ACTIVE.store(isa as u8, Ordering::Relaxed);
    Ok(())
}

/// Undoes [`force_isa`]: back to `KERNELS_ISA` or the best ISA detected.
pub fn clear_forced_isa() {
    FORCED.store(UNSET, Ordering::Relaxed);
    ACTIVE.store(UNSET, Ordering::Relaxed);
}
