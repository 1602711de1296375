//! One vector of f16 or bf16 values widened to f32 lanes, and f32 lanes
//! stored rounded once to nearest-even (NaN stays NaN, overflow gives
//! infinity, subnormal results are kept): what the generated half-precision
//! loops (`run_f16`, `run_bf16`) call for their loads and stores. Each is
//! `#[inline(always)]` without target features of its own, so it compiles
//! into the generated loop with that loop's ISA.
//!
//! bf16 is the top half of an f32: loads shift, stores round by integer
//! addition and keep NaN quiet (so no payload rounds to infinity). f16 uses
//! the ISA's conversions (F16C's and AVX-512F's `vcvtph2ps`/`vcvtps2ph`,
//! NEON's `fcvtl`/`fcvtn`). `avx512bf16` stores with `vcvtneps2bf16` and
//! `vcvtne2ps2bf16`, which read subnormal inputs as zero: a vector holding
//! one goes through the shifts instead.
//!
//! The unrolled loops move bf16 two vectors at a time (`load_bf16x2`,
//! `store_bf16x2`): one register of values splits into the even-indexed and
//! the odd ones by a shift and a mask, and the store merges them back, so
//! neither direction needs a shuffle per vector. The conversions' own uops
//! share the vector ports with the kernel's arithmetic; halving them is what
//! keeps a compute-bound kernel on bf16 near its f32 speed.

#[cfg(target_arch = "x86_64")]
pub mod avx512 {
    use core::arch::x86_64::*;

    /// # Safety
    /// `ptr` is readable for 16 values; the CPU has AVX-512F.
    #[inline(always)]
    pub unsafe fn load_f16(ptr: *const u16) -> __m512 {
        // SAFETY: as the caller guarantees.
        unsafe { _mm512_cvtph_ps(_mm256_loadu_si256(ptr.cast())) }
    }

    /// # Safety
    /// `ptr` is writable for 16 values; the CPU has AVX-512F.
    #[inline(always)]
    pub unsafe fn store_f16(ptr: *mut u16, value: __m512) {
        // SAFETY: as the caller guarantees.
        unsafe {
            let h = _mm512_cvtps_ph::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(value);
            _mm256_storeu_si256(ptr.cast(), h)
        }
    }

    /// # Safety
    /// As for [`load_f16`].
    #[inline(always)]
    pub unsafe fn load_bf16(ptr: *const u16) -> __m512 {
        // SAFETY: as the caller guarantees.
        unsafe {
            let h = _mm512_cvtepu16_epi32(_mm256_loadu_si256(ptr.cast()));
            _mm512_castsi512_ps(_mm512_slli_epi32::<16>(h))
        }
    }

    /// `value` rounded to bf16 in the high half of each lane (the low half
    /// is left over): nearest-even by integer addition, NaN made quiet first
    /// so that no payload rounds to infinity.
    #[inline(always)]
    unsafe fn round_bf16(value: __m512) -> __m512i {
        // SAFETY: register operations of AVX-512F, which the caller has.
        unsafe {
            let bits = _mm512_castps_si512(value);
            let lsb = _mm512_and_si512(_mm512_srli_epi32::<16>(bits), _mm512_set1_epi32(1));
            let rounded = _mm512_add_epi32(bits, _mm512_add_epi32(lsb, _mm512_set1_epi32(0x7fff)));
            let nan = _mm512_cmp_ps_mask::<_CMP_UNORD_Q>(value, value);
            _mm512_mask_or_epi32(rounded, nan, bits, _mm512_set1_epi32(0x0040_0000))
        }
    }

    /// # Safety
    /// As for [`store_f16`].
    #[inline(always)]
    pub unsafe fn store_bf16(ptr: *mut u16, value: __m512) {
        // SAFETY: as the caller guarantees.
        unsafe {
            let high = _mm512_srli_epi32::<16>(round_bf16(value));
            _mm256_storeu_si256(ptr.cast(), _mm512_cvtepi32_epi16(high))
        }
    }

    /// 32 values as two vectors, the even-indexed values and the odd ones:
    /// one shift and one mask, where widening in order takes a shuffle and a
    /// shift per vector. Only [`store_bf16x2`] puts them back in order.
    ///
    /// # Safety
    /// `ptr` is readable for 32 values; the CPU has AVX-512F.
    #[inline(always)]
    pub unsafe fn load_bf16x2(ptr: *const u16) -> (__m512, __m512) {
        // SAFETY: as the caller guarantees.
        unsafe {
            let v = _mm512_loadu_si512(ptr.cast());
            let even = _mm512_slli_epi32::<16>(v);
            let odd = _mm512_and_si512(v, _mm512_set1_epi32(0xffff_0000_u32 as i32));
            (_mm512_castsi512_ps(even), _mm512_castsi512_ps(odd))
        }
    }

    /// Stores what [`load_bf16x2`] split: each odd value's rounded high half
    /// stays in place, each even one's moves down beside it (one bitwise
    /// select, where narrowing each vector takes two shuffles).
    ///
    /// # Safety
    /// `ptr` is writable for 32 values; the CPU has AVX-512F.
    #[inline(always)]
    pub unsafe fn store_bf16x2(ptr: *mut u16, even: __m512, odd: __m512) {
        // SAFETY: as the caller guarantees.
        unsafe {
            let low = _mm512_srli_epi32::<16>(round_bf16(even));
            let high_mask = _mm512_set1_epi32(0xffff_0000_u32 as i32);
            // 0xCA: the first operand's bits choose the second's, else the third's.
            let merged = _mm512_ternarylogic_epi32::<0xCA>(high_mask, round_bf16(odd), low);
            _mm512_storeu_si512(ptr.cast(), merged)
        }
    }
}

/// AVX-512 with its BF16, BW and DQ extensions.
#[cfg(target_arch = "x86_64")]
pub mod avx512bf16 {
    use core::arch::x86_64::*;

    pub use super::avx512::{load_bf16, load_bf16x2};

    /// # Safety
    /// `ptr` is writable for 16 values; the CPU has AVX-512 F, BF16 and DQ.
    #[inline(always)]
    pub unsafe fn store_bf16(ptr: *mut u16, value: __m512) {
        // SAFETY: as the caller guarantees.
        unsafe {
            if _mm512_fpclass_ps_mask::<0x20>(value) == 0 {
                let r: __m256i = core::mem::transmute(_mm512_cvtneps_pbh(value));
                _mm256_storeu_si256(ptr.cast(), r)
            } else {
                super::avx512::store_bf16(ptr, value)
            }
        }
    }

    /// Stores what [`load_bf16x2`] split with one `vcvtne2ps2bf16`. That
    /// instruction reads subnormal inputs as zero, so a zero in its result
    /// (rare outside relu-like kernels) sends the pair to the exact check,
    /// and a pair holding a subnormal through the shifts.
    ///
    /// # Safety
    /// `ptr` is writable for 32 values; the CPU has AVX-512 F, BF16, BW and DQ.
    #[inline(always)]
    pub unsafe fn store_bf16x2(ptr: *mut u16, even: __m512, odd: __m512) {
        // SAFETY: as the caller guarantees.
        unsafe {
            // The even values' results, then the odd ones'.
            let halves: __m512i = core::mem::transmute(_mm512_cvtne2ps_pbh(odd, even));
            let interleave = _mm512_set_epi16(
                31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8, 23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2,
                17, 1, 16, 0,
            );
            let out = _mm512_permutexvar_epi16(interleave, halves);
            // Tested after the shuffle: on `halves`, a bf16 vector to LLVM,
            // this test becomes 32 scalar float comparisons.
            let zeros = _mm512_testn_epi16_mask(out, _mm512_set1_epi16(0x7fff));
            if zeros == 0 || (_mm512_fpclass_ps_mask::<0x20>(even) | _mm512_fpclass_ps_mask::<0x20>(odd)) == 0 {
                _mm512_storeu_si512(ptr.cast(), out)
            } else {
                super::avx512::store_bf16x2(ptr, even, odd)
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
pub mod avx2 {
    use core::arch::x86_64::*;

    /// # Safety
    /// `ptr` is readable for 8 values; the CPU has F16C.
    #[inline(always)]
    pub unsafe fn load_f16(ptr: *const u16) -> __m256 {
        // SAFETY: as the caller guarantees.
        unsafe { _mm256_cvtph_ps(_mm_loadu_si128(ptr.cast())) }
    }

    /// # Safety
    /// `ptr` is writable for 8 values; the CPU has F16C.
    #[inline(always)]
    pub unsafe fn store_f16(ptr: *mut u16, value: __m256) {
        // SAFETY: as the caller guarantees.
        unsafe { _mm_storeu_si128(ptr.cast(), _mm256_cvtps_ph::<_MM_FROUND_TO_NEAREST_INT>(value)) }
    }

    /// # Safety
    /// `ptr` is readable for 8 values; the CPU has AVX2.
    #[inline(always)]
    pub unsafe fn load_bf16(ptr: *const u16) -> __m256 {
        // SAFETY: as the caller guarantees.
        unsafe {
            let h = _mm256_cvtepu16_epi32(_mm_loadu_si128(ptr.cast()));
            _mm256_castsi256_ps(_mm256_slli_epi32::<16>(h))
        }
    }

    /// As `avx512`'s: rounded to bf16 in the high half of each lane.
    #[inline(always)]
    unsafe fn round_bf16(value: __m256) -> __m256i {
        // SAFETY: register operations of AVX2, which the caller has.
        unsafe {
            let bits = _mm256_castps_si256(value);
            let lsb = _mm256_and_si256(_mm256_srli_epi32::<16>(bits), _mm256_set1_epi32(1));
            let rounded = _mm256_add_epi32(bits, _mm256_add_epi32(lsb, _mm256_set1_epi32(0x7fff)));
            let quiet = _mm256_or_si256(bits, _mm256_set1_epi32(0x0040_0000));
            let nan = _mm256_castps_si256(_mm256_cmp_ps::<_CMP_UNORD_Q>(value, value));
            _mm256_blendv_epi8(rounded, quiet, nan)
        }
    }

    /// # Safety
    /// `ptr` is writable for 8 values; the CPU has AVX2.
    #[inline(always)]
    pub unsafe fn store_bf16(ptr: *mut u16, value: __m256) {
        // SAFETY: as the caller guarantees.
        unsafe {
            let r = _mm256_srli_epi32::<16>(round_bf16(value));
            // Packs within 128-bit halves (every value fits 16 bits
            // unsigned), then gathers the two halves' low quarters.
            let packed = _mm256_permute4x64_epi64::<0b1000>(_mm256_packus_epi32(r, r));
            _mm_storeu_si128(ptr.cast(), _mm256_castsi256_si128(packed))
        }
    }

    /// As `avx512`'s: the even-indexed and the odd values of 16.
    ///
    /// # Safety
    /// `ptr` is readable for 16 values; the CPU has AVX2.
    #[inline(always)]
    pub unsafe fn load_bf16x2(ptr: *const u16) -> (__m256, __m256) {
        // SAFETY: as the caller guarantees.
        unsafe {
            let v = _mm256_loadu_si256(ptr.cast());
            let even = _mm256_slli_epi32::<16>(v);
            let odd = _mm256_and_si256(v, _mm256_set1_epi32(0xffff_0000_u32 as i32));
            (_mm256_castsi256_ps(even), _mm256_castsi256_ps(odd))
        }
    }

    /// As `avx512`'s, merging by a word blend.
    ///
    /// # Safety
    /// `ptr` is writable for 16 values; the CPU has AVX2.
    #[inline(always)]
    pub unsafe fn store_bf16x2(ptr: *mut u16, even: __m256, odd: __m256) {
        // SAFETY: as the caller guarantees.
        unsafe {
            let low = _mm256_srli_epi32::<16>(round_bf16(even));
            _mm256_storeu_si256(ptr.cast(), _mm256_blend_epi16::<0xAA>(low, round_bf16(odd)))
        }
    }
}

#[cfg(target_arch = "aarch64")]
pub mod neon {
    use core::arch::aarch64::*;
    use core::arch::asm;

    /// # Safety
    /// `ptr` is readable for 4 values; the CPU has NEON.
    #[inline(always)]
    pub unsafe fn load_f16(ptr: *const u16) -> float32x4_t {
        // SAFETY: as the caller guarantees; `fcvtl` (base Advanced SIMD,
        // written as assembly because `vcvt_f32_f16` needs Rust 1.94) only
        // reads and writes the registers named.
        unsafe {
            let h = vld1_u16(ptr);
            let wide: float32x4_t;
            asm!("fcvtl {w:v}.4s, {h:v}.4h", h = in(vreg) h, w = out(vreg) wide, options(pure, nomem, nostack));
            wide
        }
    }

    /// `fcvtn` rounds by FPCR: to nearest-even unless a program changed it
    /// (which Rust assumes it did not).
    ///
    /// # Safety
    /// `ptr` is writable for 4 values; the CPU has NEON.
    #[inline(always)]
    pub unsafe fn store_f16(ptr: *mut u16, value: float32x4_t) {
        // SAFETY: as the caller guarantees; `fcvtn` as `fcvtl` above.
        unsafe {
            let h: uint16x4_t;
            asm!("fcvtn {h:v}.4h, {w:v}.4s", w = in(vreg) value, h = out(vreg) h, options(pure, nomem, nostack));
            vst1_u16(ptr, h)
        }
    }

    /// # Safety
    /// As for [`load_f16`].
    #[inline(always)]
    pub unsafe fn load_bf16(ptr: *const u16) -> float32x4_t {
        // SAFETY: as the caller guarantees.
        unsafe { vreinterpretq_f32_u32(vshll_n_u16::<16>(vld1_u16(ptr))) }
    }

    /// As `avx512`'s: rounded to bf16 in the high half of each lane.
    #[inline(always)]
    unsafe fn round_bf16(value: float32x4_t) -> uint32x4_t {
        // SAFETY: register operations of NEON, which the caller has.
        unsafe {
            let bits = vreinterpretq_u32_f32(value);
            let lsb = vandq_u32(vshrq_n_u32::<16>(bits), vdupq_n_u32(1));
            let rounded = vaddq_u32(bits, vaddq_u32(lsb, vdupq_n_u32(0x7fff)));
            let quiet = vorrq_u32(bits, vdupq_n_u32(0x0040_0000));
            let nan = vmvnq_u32(vceqq_f32(value, value));
            vbslq_u32(nan, quiet, rounded)
        }
    }

    /// # Safety
    /// As for [`store_f16`].
    #[inline(always)]
    pub unsafe fn store_bf16(ptr: *mut u16, value: float32x4_t) {
        // SAFETY: as the caller guarantees.
        unsafe { vst1_u16(ptr, vshrn_n_u32::<16>(round_bf16(value))) }
    }

    /// As `avx512`'s: the even-indexed and the odd values of 8.
    ///
    /// # Safety
    /// `ptr` is readable for 8 values; the CPU has NEON.
    #[inline(always)]
    pub unsafe fn load_bf16x2(ptr: *const u16) -> (float32x4_t, float32x4_t) {
        // SAFETY: as the caller guarantees.
        unsafe {
            let v = vreinterpretq_u32_u16(vld1q_u16(ptr));
            let even = vshlq_n_u32::<16>(v);
            let odd = vandq_u32(v, vdupq_n_u32(0xffff_0000));
            (vreinterpretq_f32_u32(even), vreinterpretq_f32_u32(odd))
        }
    }

    /// As `avx512`'s, merging by one shift-right-and-insert.
    ///
    /// # Safety
    /// `ptr` is writable for 8 values; the CPU has NEON.
    #[inline(always)]
    pub unsafe fn store_bf16x2(ptr: *mut u16, even: float32x4_t, odd: float32x4_t) {
        // SAFETY: as the caller guarantees.
        unsafe {
            let merged = vsriq_n_u32::<16>(round_bf16(odd), round_bf16(even));
            vst1q_u16(ptr, vreinterpretq_u16_u32(merged))
        }
    }
}
