//! f32 to and from the half formats, a slice at a time, with the
//! instructions of the ISA whose variant runs the call (so the exhaustive
//! tests of each variant also test its conversions):
//!
//! | ISA     | f16                                 | bf16 widen | bf16 narrow                                    |
//! |---------|-------------------------------------|------------|------------------------------------------------|
//! | AVX-512 | `vcvtph2ps`/`vcvtps2ph`, 16 lanes   | shift      | `vcvtneps2bf16` (`has_half_extension`), else shift |
//! | AVX2    | F16C, 8 lanes                       | shift      | shift                                          |
//! | NEON    | `fcvtl`/`fcvtn`                     | shift      | shift                                          |
//! | others  | `half`'s conversions                | shift      | shift                                          |
//!
//! "shift": integer operations in loops the compiler vectorizes for the ISA.
//! Every narrowing rounds once to nearest-even; NaN stays NaN, overflow gives
//! infinity, subnormal results are kept.

use half::slice::HalfFloatSliceExt;
use half::{bf16, f16};

use crate::Isa;

/// Exact: a bf16 is the top half of an f32.
#[inline(always)]
fn widen_bf16_loop(src: &[bf16], dst: &mut [f32]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d = f32::from_bits(u32::from(s.to_bits()) << 16);
    }
}

/// To nearest-even; NaN stays NaN (made quiet, so no payload rounds to
/// infinity), overflow gives infinity. No branches, so it vectorizes.
#[inline(always)]
fn narrow_bf16_loop(src: &[f32], dst: &mut [bf16]) {
    for (d, s) in dst.iter_mut().zip(src) {
        let bits = s.to_bits();
        let rounded = bits.wrapping_add(0x7fff + ((bits >> 16) & 1)) >> 16;
        let nan = (bits >> 16) | 0x0040;
        *d = bf16::from_bits(
            (if (bits & 0x7fff_ffff) > 0x7f80_0000 {
                nan
            } else {
                rounded
            }) as u16,
        );
    }
}

pub(super) fn widen_bf16(isa: Isa, src: &[bf16], dst: &mut [f32]) {
    match isa {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `isa` is available (the caller checked it: it runs that
        // ISA's variant next), so the CPU has AVX-512 F / AVX2.
        Isa::Avx512 => unsafe { x86::widen_bf16_avx512(src, dst) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        Isa::Avx2 => unsafe { x86::widen_bf16_avx2(src, dst) },
        _ => widen_bf16_loop(src, dst),
    }
}

pub(super) fn narrow_bf16(isa: Isa, src: &[f32], dst: &mut [bf16]) {
    match isa {
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 if isa.has_half_extension() => {
            // SAFETY: `isa` is available (AVX-512 F) and the CPU has AVX-512
            // BF16 and DQ (the guard checked them).
            unsafe { x86::narrow_bf16_avx512_bf16(src, dst) }
        }
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `isa` is available, so the CPU has AVX-512 F / AVX2.
        Isa::Avx512 => unsafe { x86::narrow_bf16_avx512(src, dst) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        Isa::Avx2 => unsafe { x86::narrow_bf16_avx2(src, dst) },
        _ => narrow_bf16_loop(src, dst),
    }
}

pub(super) fn widen_f16(isa: Isa, src: &[f16], dst: &mut [f32]) {
    match isa {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `isa` is available, so the CPU has AVX-512 F, which
        // includes the 512-bit half conversions.
        Isa::Avx512 => unsafe { x86::widen_f16_avx512(src, dst) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `isa` is available, and the AVX2 ISA includes F16C.
        Isa::Avx2 => unsafe { x86::widen_f16_f16c(src, dst) },
        #[cfg(target_arch = "aarch64")]
        // SAFETY: `isa` is available, so the CPU has NEON.
        Isa::Neon => unsafe { neon::widen_f16(src, dst) },
        _ => src.convert_to_f32_slice(dst),
    }
}

pub(super) fn narrow_f16(isa: Isa, src: &[f32], dst: &mut [f16]) {
    match isa {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `isa` is available, so the CPU has AVX-512 F.
        Isa::Avx512 => unsafe { x86::narrow_f16_avx512(src, dst) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `isa` is available, and the AVX2 ISA includes F16C.
        Isa::Avx2 => unsafe { x86::narrow_f16_f16c(src, dst) },
        #[cfg(target_arch = "aarch64")]
        // SAFETY: `isa` is available, so the CPU has NEON.
        Isa::Neon => unsafe { neon::narrow_f16(src, dst) },
        _ => dst.convert_from_f32_slice(src),
    }
}

/// `vector` on each run of `lanes` values of `src` and `dst` (slices of
/// exactly that length), `rest` on what remains.
#[inline(always)]
fn by_vectors<S, D>(
    src: &[S],
    dst: &mut [D],
    lanes: usize,
    vector: impl Fn(&[S], &mut [D]),
    rest: impl FnOnce(&[S], &mut [D]),
) {
    let n = src.len().min(dst.len());
    let whole = n / lanes * lanes;
    for (s, d) in src[..whole]
        .chunks_exact(lanes)
        .zip(dst[..whole].chunks_exact_mut(lanes))
    {
        vector(s, d);
    }
    rest(&src[whole..n], &mut dst[whole..n]);
}

/// One value at a time, for the tails of the vector loops.
fn widen_f16_each(src: &[f16], dst: &mut [f32]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d = s.to_f32();
    }
}

fn narrow_f16_each(src: &[f32], dst: &mut [f16]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d = f16::from_f32(*s);
    }
}

/// The vector loops call the generated loops' own conversions
/// (`element::lanes`), so each conversion is written once per ISA.
#[cfg(target_arch = "x86_64")]
mod x86 {
    use core::arch::x86_64::{_mm256_loadu_ps, _mm256_storeu_ps, _mm512_loadu_ps, _mm512_storeu_ps};

    use half::{bf16, f16};

    use super::{by_vectors, narrow_bf16_loop, narrow_f16_each, widen_bf16_loop, widen_f16_each};
    use crate::element::lanes::{avx2, avx512, avx512bf16};

    #[target_feature(enable = "avx512f")]
    pub(super) fn widen_bf16_avx512(src: &[bf16], dst: &mut [f32]) {
        widen_bf16_loop(src, dst)
    }

    #[target_feature(enable = "avx2")]
    pub(super) fn widen_bf16_avx2(src: &[bf16], dst: &mut [f32]) {
        widen_bf16_loop(src, dst)
    }

    #[target_feature(enable = "avx512f")]
    pub(super) fn narrow_bf16_avx512(src: &[f32], dst: &mut [bf16]) {
        narrow_bf16_loop(src, dst)
    }

    #[target_feature(enable = "avx2")]
    pub(super) fn narrow_bf16_avx2(src: &[f32], dst: &mut [bf16]) {
        narrow_bf16_loop(src, dst)
    }

    #[target_feature(enable = "avx512f,avx512bf16,avx512dq")]
    pub(super) fn narrow_bf16_avx512_bf16(src: &[f32], dst: &mut [bf16]) {
        let vector = |s: &[f32], d: &mut [bf16]| {
            // SAFETY: `by_vectors` passes 16 values each; this function runs
            // with the features `store_bf16` needs.
            unsafe { avx512bf16::store_bf16(d.as_mut_ptr().cast(), _mm512_loadu_ps(s.as_ptr())) }
        };
        by_vectors(src, dst, 16, vector, narrow_bf16_loop)
    }

    #[target_feature(enable = "avx512f")]
    pub(super) fn widen_f16_avx512(src: &[f16], dst: &mut [f32]) {
        let vector = |s: &[f16], d: &mut [f32]| {
            // SAFETY: as in `narrow_bf16_avx512_bf16`.
            unsafe { _mm512_storeu_ps(d.as_mut_ptr(), avx512::load_f16(s.as_ptr().cast())) }
        };
        by_vectors(src, dst, 16, vector, widen_f16_each)
    }

    #[target_feature(enable = "avx512f")]
    pub(super) fn narrow_f16_avx512(src: &[f32], dst: &mut [f16]) {
        let vector = |s: &[f32], d: &mut [f16]| {
            // SAFETY: as in `narrow_bf16_avx512_bf16`.
            unsafe { avx512::store_f16(d.as_mut_ptr().cast(), _mm512_loadu_ps(s.as_ptr())) }
        };
        by_vectors(src, dst, 16, vector, narrow_f16_each)
    }

    #[target_feature(enable = "avx2,f16c")]
    pub(super) fn widen_f16_f16c(src: &[f16], dst: &mut [f32]) {
        let vector = |s: &[f16], d: &mut [f32]| {
            // SAFETY: `by_vectors` passes 8 values each; this function runs
            // with the features `load_f16` needs.
            unsafe { _mm256_storeu_ps(d.as_mut_ptr(), avx2::load_f16(s.as_ptr().cast())) }
        };
        by_vectors(src, dst, 8, vector, widen_f16_each)
    }

    #[target_feature(enable = "avx2,f16c")]
    pub(super) fn narrow_f16_f16c(src: &[f32], dst: &mut [f16]) {
        let vector = |s: &[f32], d: &mut [f16]| {
            // SAFETY: as in `widen_f16_f16c`.
            unsafe { avx2::store_f16(d.as_mut_ptr().cast(), _mm256_loadu_ps(s.as_ptr())) }
        };
        by_vectors(src, dst, 8, vector, narrow_f16_each)
    }
}

#[cfg(target_arch = "aarch64")]
mod neon {
    use core::arch::aarch64::{vld1q_f32, vst1q_f32};

    use half::f16;

    use super::{by_vectors, narrow_f16_each, widen_f16_each};
    use crate::element::lanes::neon::{load_f16, store_f16};

    #[target_feature(enable = "neon")]
    pub(super) fn widen_f16(src: &[f16], dst: &mut [f32]) {
        let vector = |s: &[f16], d: &mut [f32]| {
            // SAFETY: `by_vectors` passes 4 values each; this function runs
            // with NEON.
            unsafe { vst1q_f32(d.as_mut_ptr(), load_f16(s.as_ptr().cast())) }
        };
        by_vectors(src, dst, 4, vector, widen_f16_each)
    }

    #[target_feature(enable = "neon")]
    pub(super) fn narrow_f16(src: &[f32], dst: &mut [f16]) {
        let vector = |s: &[f32], d: &mut [f16]| {
            // SAFETY: as in `widen_f16`.
            unsafe { store_f16(d.as_mut_ptr().cast(), vld1q_f32(s.as_ptr())) }
        };
        by_vectors(src, dst, 4, vector, narrow_f16_each)
    }
}
