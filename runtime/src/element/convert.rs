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
            // BF16 (the guard checked it).
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

#[cfg(target_arch = "x86_64")]
mod x86 {
    use core::arch::x86_64::*;

    use half::{bf16, f16};

    use super::{narrow_bf16_loop, widen_bf16_loop};

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

    /// `vcvtneps2bf16` rounds to nearest-even and keeps NaN, but reads a
    /// subnormal input as zero; a vector with one goes through the shifts.
    #[target_feature(enable = "avx512f,avx512bf16")]
    pub(super) fn narrow_bf16_avx512_bf16(src: &[f32], dst: &mut [bf16]) {
        let n = src.len().min(dst.len());
        let mut i = 0;
        let one = _mm512_set1_epi32(1);
        let below_normal = _mm512_set1_epi32(0x007f_ffff);
        let magnitude = _mm512_set1_epi32(0x7fff_ffff);
        while i + 16 <= n {
            // SAFETY: `i + 16 <= n`, within both slices.
            unsafe {
                let v = _mm512_loadu_ps(src.as_ptr().add(i));
                let bits = _mm512_and_si512(_mm512_castps_si512(v), magnitude);
                // |bits| - 1 below 0x7fffff unsigned: exactly the subnormals.
                let subnormal = _mm512_cmplt_epu32_mask(_mm512_sub_epi32(bits, one), below_normal);
                if subnormal == 0 {
                    let r: __m256i = core::mem::transmute(_mm512_cvtneps_pbh(v));
                    _mm256_storeu_si256(dst.as_mut_ptr().add(i).cast(), r);
                } else {
                    narrow_bf16_loop(&src[i..i + 16], &mut dst[i..i + 16]);
                }
            }
            i += 16;
        }
        narrow_bf16_loop(&src[i..n], &mut dst[i..n]);
    }

    #[target_feature(enable = "avx512f")]
    pub(super) fn widen_f16_avx512(src: &[f16], dst: &mut [f32]) {
        let n = src.len().min(dst.len());
        let mut i = 0;
        while i + 16 <= n {
            // SAFETY: `i + 16 <= n`, within both slices.
            unsafe {
                let h = _mm256_loadu_si256(src.as_ptr().add(i).cast());
                _mm512_storeu_ps(dst.as_mut_ptr().add(i), _mm512_cvtph_ps(h));
            }
            i += 16;
        }
        widen_f16_f16c(&src[i..n], &mut dst[i..n]);
    }

    #[target_feature(enable = "avx512f")]
    pub(super) fn narrow_f16_avx512(src: &[f32], dst: &mut [f16]) {
        let n = src.len().min(dst.len());
        let mut i = 0;
        while i + 16 <= n {
            // SAFETY: `i + 16 <= n`, within both slices.
            unsafe {
                let v = _mm512_loadu_ps(src.as_ptr().add(i));
                let h = _mm512_cvtps_ph::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(v);
                _mm256_storeu_si256(dst.as_mut_ptr().add(i).cast(), h);
            }
            i += 16;
        }
        narrow_f16_f16c(&src[i..n], &mut dst[i..n]);
    }

    /// Eight lanes at a time, then one (the tail of a tile).
    #[target_feature(enable = "avx2,f16c")]
    pub(super) fn widen_f16_f16c(src: &[f16], dst: &mut [f32]) {
        let n = src.len().min(dst.len());
        let mut i = 0;
        while i < n {
            // SAFETY: 8 lanes read/written below `n` where `i + 8 <= n`;
            // otherwise one element at `i < n`, through a zeroed vector.
            unsafe {
                if i + 8 <= n {
                    let h = _mm_loadu_si128(src.as_ptr().add(i).cast());
                    _mm256_storeu_ps(dst.as_mut_ptr().add(i), _mm256_cvtph_ps(h));
                    i += 8;
                } else {
                    let h = _mm_cvtsi32_si128(i32::from(src[i].to_bits()));
                    dst[i] = _mm_cvtss_f32(_mm_cvtph_ps(h));
                    i += 1;
                }
            }
        }
    }

    #[target_feature(enable = "avx2,f16c")]
    pub(super) fn narrow_f16_f16c(src: &[f32], dst: &mut [f16]) {
        let n = src.len().min(dst.len());
        let mut i = 0;
        while i < n {
            // SAFETY: as in `widen_f16_f16c`.
            unsafe {
                if i + 8 <= n {
                    let v = _mm256_loadu_ps(src.as_ptr().add(i));
                    let h = _mm256_cvtps_ph::<_MM_FROUND_TO_NEAREST_INT>(v);
                    _mm_storeu_si128(dst.as_mut_ptr().add(i).cast(), h);
                    i += 8;
                } else {
                    let h = _mm_cvtps_ph::<_MM_FROUND_TO_NEAREST_INT>(_mm_set_ss(src[i]));
                    dst[i] = f16::from_bits(_mm_cvtsi128_si32(h) as u16);
                    i += 1;
                }
            }
        }
    }
}

#[cfg(target_arch = "aarch64")]
mod neon {
    use half::f16;

    use crate::element::lanes::neon::{load_f16, store_f16};

    /// `fcvtl`: exact.
    #[target_feature(enable = "neon")]
    pub(super) fn widen_f16(src: &[f16], dst: &mut [f32]) {
        let n = src.len().min(dst.len());
        let mut i = 0;
        while i + 4 <= n {
            // SAFETY: `i + 4 <= n`, within both slices; this function runs
            // with NEON.
            unsafe {
                let v = load_f16(src.as_ptr().add(i).cast());
                core::arch::aarch64::vst1q_f32(dst.as_mut_ptr().add(i), v);
            }
            i += 4;
        }
        for (d, s) in dst[i..n].iter_mut().zip(&src[i..n]) {
            *d = s.to_f32();
        }
    }

    /// `fcvtn`, to nearest-even (see `lanes::neon::store_f16`).
    #[target_feature(enable = "neon")]
    pub(super) fn narrow_f16(src: &[f32], dst: &mut [f16]) {
        let n = src.len().min(dst.len());
        let mut i = 0;
        while i + 4 <= n {
            // SAFETY: as in `widen_f16`.
            unsafe {
                let v = core::arch::aarch64::vld1q_f32(src.as_ptr().add(i));
                store_f16(dst.as_mut_ptr().add(i).cast(), v);
            }
            i += 4;
        }
        for (d, s) in dst[i..n].iter_mut().zip(&src[i..n]) {
            *d = f16::from_f32(*s);
        }
    }
}
