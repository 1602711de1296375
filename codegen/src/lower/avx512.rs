//! AVX-512F: 16 lanes, k-register masks for comparisons, and masked loads and
//! stores for the tail. Only AVX-512F is required: sign-bit operations use the
//! integer forms because `vxorps zmm` needs AVX-512DQ.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::{HalfExtension, HalfFormat, MaskedTail, NativeLdexp, StreamingStores, Target, padded, x86};
use crate::ir::{BinOp, CmpOp, MaskOp, UnOp};

pub struct Avx512;

impl Target for Avx512 {
    fn name(&self) -> &'static str {
        "avx512"
    }
    fn isa(&self) -> Ident {
        format_ident!("Avx512")
    }
    fn arch(&self) -> TokenStream {
        quote!(target_arch = "x86_64")
    }
    fn prelude(&self) -> TokenStream {
        quote!(
            use ::core::arch::x86_64::*;
        )
    }
    fn features(&self) -> Option<&'static str> {
        Some("avx512f")
    }
    /// `vcvtne2ps2bf16` (AVX-512 BF16; DQ for the subnormal check, BW for
    /// the word shuffle and test of the pair store).
    fn half_extension(&self) -> Option<HalfExtension> {
        Some(HalfExtension {
            format: HalfFormat::Bf16,
            features: "avx512bf16,avx512bw,avx512dq",
            module: "avx512bf16",
        })
    }
    fn half_formats(&self) -> &'static [HalfFormat] {
        &HalfFormat::ALL
    }
    fn lanes(&self) -> usize {
        16
    }
    fn has_fma(&self) -> bool {
        true
    }
    fn unroll(&self) -> usize {
        4
    }
    fn vector(&self) -> TokenStream {
        quote!(__m512)
    }
    fn splat(&self, value: TokenStream) -> TokenStream {
        quote!(_mm512_set1_ps(#value))
    }
    fn load(&self, ptr: TokenStream) -> TokenStream {
        quote!(_mm512_loadu_ps(#ptr))
    }
    fn store(&self, ptr: TokenStream, value: TokenStream) -> TokenStream {
        quote!(_mm512_storeu_ps(#ptr, #value))
    }
    fn masked(&self) -> Option<&dyn MaskedTail> {
        Some(self)
    }
    fn streaming(&self) -> Option<&dyn StreamingStores> {
        Some(self)
    }
    fn prefetch(&self, ptr: TokenStream) -> Option<TokenStream> {
        Some(x86::prefetch(ptr))
    }
    fn unary(&self, op: UnOp, a: &Ident) -> TokenStream {
        match op {
            // Exact, and LLVM reads it as a negation (folded into
            // `vfnmadd`), which the integer xor AVX-512F offers would hide.
            UnOp::Neg => quote!(_mm512_mul_ps(#a, _mm512_set1_ps(-1.0))),
            UnOp::Abs => quote!(_mm512_abs_ps(#a)),
            UnOp::Sqrt => quote!(_mm512_sqrt_ps(#a)),
            UnOp::Recip => quote!(_mm512_rcp14_ps(#a)),
            UnOp::Rsqrt => quote!(_mm512_rsqrt14_ps(#a)),
            UnOp::Floor => {
                quote!(_mm512_roundscale_ps(#a, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC))
            }
            UnOp::Ceil => {
                quote!(_mm512_roundscale_ps(#a, _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC))
            }
            UnOp::Round => {
                quote!(_mm512_roundscale_ps(#a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC))
            }
            UnOp::Trunc => quote!(_mm512_roundscale_ps(#a, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC)),
            UnOp::Pow2i => quote!(_mm512_castsi512_ps(_mm512_slli_epi32(
                _mm512_add_epi32(_mm512_cvtps_epi32(#a), _mm512_set1_epi32(127)),
                23
            ))),
            // One instruction each where the generic bit steps take four and
            // two; they agree on normal x (the builtins' domain).
            UnOp::Exponent => quote!(_mm512_getexp_ps(#a)),
            UnOp::Mantissa => quote!(_mm512_getmant_ps::<_MM_MANT_NORM_1_2, _MM_MANT_SIGN_ZERO>(#a)),
            UnOp::IntBits => quote!(_mm512_castsi512_ps(_mm512_cvtps_epi32(#a))),
            UnOp::Bits => quote!(_mm512_cvtepi32_ps(_mm512_castps_si512(#a))),
        }
    }
    fn binary(&self, op: BinOp, a: &Ident, b: &Ident) -> TokenStream {
        match op {
            BinOp::Add => quote!(_mm512_add_ps(#a, #b)),
            BinOp::Sub => quote!(_mm512_sub_ps(#a, #b)),
            BinOp::Mul => quote!(_mm512_mul_ps(#a, #b)),
            BinOp::Div => quote!(_mm512_div_ps(#a, #b)),
            BinOp::MinRaw => quote!(_mm512_min_ps(#a, #b)),
            BinOp::MaxRaw => quote!(_mm512_max_ps(#a, #b)),
            BinOp::CopySign => quote!(_mm512_castsi512_ps(_mm512_ternarylogic_epi32(
                _mm512_castps_si512(#a),
                _mm512_castps_si512(#b),
                _mm512_set1_epi32(i32::MAX),
                0xE4
            ))),
        }
    }
    fn fma(&self, a: &Ident, b: &Ident, c: &Ident) -> TokenStream {
        quote!(_mm512_fmadd_ps(#a, #b, #c))
    }
    fn cmp(&self, op: CmpOp, a: &Ident, b: &Ident) -> TokenStream {
        let predicate = match op {
            CmpOp::Lt => quote!(_CMP_LT_OQ),
            CmpOp::Le => quote!(_CMP_LE_OQ),
            CmpOp::Gt => quote!(_CMP_GT_OQ),
            CmpOp::Ge => quote!(_CMP_GE_OQ),
            CmpOp::Eq => quote!(_CMP_EQ_OQ),
            CmpOp::Ne => quote!(_CMP_NEQ_UQ),
        };
        quote!(_mm512_cmp_ps_mask(#a, #b, #predicate))
    }
    fn is_nan(&self, a: &Ident) -> TokenStream {
        quote!(_mm512_cmp_ps_mask(#a, #a, _CMP_UNORD_Q))
    }
    fn mask_op(&self, op: MaskOp, a: &Ident, b: &Ident) -> TokenStream {
        match op {
            MaskOp::And => quote!(#a & #b),
            MaskOp::Or => quote!(#a | #b),
        }
    }
    fn not(&self, a: &Ident) -> TokenStream {
        quote!(!#a)
    }
    fn select(&self, mask: &Ident, if_true: &Ident, if_false: &Ident) -> TokenStream {
        quote!(_mm512_mask_blend_ps(#mask, #if_false, #if_true))
    }
    fn wide_vector(&self) -> TokenStream {
        quote!(__m512d)
    }
    fn wide_splat(&self, value: TokenStream) -> TokenStream {
        x86::AVX512.splat(value)
    }
    fn widen(&self, a: &Ident) -> TokenStream {
        quote!((
            _mm512_cvtps_pd(_mm512_castps512_ps256(#a)),
            _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(#a), 1)))
        ))
    }
    fn narrow(&self, a: &Ident) -> TokenStream {
        quote!(_mm512_castpd_ps(_mm512_insertf64x4(
            _mm512_castps_pd(_mm512_castps256_ps512(_mm512_cvtpd_ps(#a.0))),
            _mm256_castps_pd(_mm512_cvtpd_ps(#a.1)),
            1
        )))
    }
    fn wide_unary(&self, op: UnOp, a: TokenStream) -> TokenStream {
        match op {
            // `xor_pd` needs AVX-512DQ: flip the sign bit as an integer.
            UnOp::Neg => quote!(_mm512_castsi512_pd(_mm512_xor_si512(
                _mm512_castpd_si512(#a),
                _mm512_set1_epi64(i64::MIN)
            ))),
            UnOp::Abs => quote!(_mm512_abs_pd(#a)),
            UnOp::Round => quote!(_mm512_roundscale_pd(#a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)),
            other => x86::AVX512.unary(other, a),
        }
    }
    fn wide_binary(&self, op: BinOp, a: TokenStream, b: TokenStream) -> TokenStream {
        x86::AVX512.binary(op, a, b)
    }
    fn wide_fma(&self, a: TokenStream, b: TokenStream, c: TokenStream) -> TokenStream {
        x86::AVX512.fmadd(a, b, c)
    }
    fn any(&self, mask: &Ident) -> TokenStream {
        quote!(#mask != 0)
    }
    fn scale(&self, x: &Ident, k: &Ident) -> Option<TokenStream> {
        Some(quote!(_mm512_scalef_ps(#x, #k)))
    }
    fn ldexp(&self, x: &Ident, k: &Ident, normal: &Ident) -> Option<NativeLdexp> {
        // `vscalefps`: x * 2^floor(k) rounded once, overflow included, as the
        // generic expansion computes it, in one instruction instead of a
        // multiply and a range check. A subnormal result would cost a
        // microcode assist (100+ cycles): lanes with k < -125 (or NaN), which
        // holds every subnormal result for |x| >= 1/2, are scaled by 2^0 here
        // (a masked `vscalefps` would still compute them) and computed by the
        // exact path; a smaller |x| stays correct, only slower.
        Some(NativeLdexp {
            normal: quote!(_mm512_cmp_ps_mask(#k, _mm512_set1_ps(-125.0), _CMP_GE_OQ)),
            fast: quote!(_mm512_scalef_ps(#x, _mm512_maskz_mov_ps(#normal, #k))),
            any_left_out: quote!(#normal != u16::MAX),
        })
    }
    fn table(&self, i: &Ident, values: &[f32]) -> TokenStream {
        // Permutes read only the low 4 (5) index bits, so any index is safe.
        if values.len() <= 16 {
            let entries = padded(values, 16);
            return quote!(_mm512_permutexvar_ps(_mm512_cvttps_epi32(#i), _mm512_setr_ps(#(#entries),*)));
        }
        if values.len() <= 32 {
            let entries = padded(values, 32);
            let (lo, hi) = entries.split_at(16);
            return quote!(_mm512_permutex2var_ps(
                _mm512_setr_ps(#(#lo),*),
                _mm512_cvttps_epi32(#i),
                _mm512_setr_ps(#(#hi),*)
            ));
        }
        let table = super::table_const(values);
        let last = values.len() as i32 - 1;
        // The index is brought into the table before the gather reads memory:
        // masked to a power-of-two length, otherwise clamped (a NaN converts
        // to i32::MIN, clamped to 0).
        let index = super::local("index");
        let raw = quote!(_mm512_cvttps_epi32(#i));
        let inside = if values.len().is_power_of_two() {
            quote!(_mm512_and_si512(#raw, _mm512_set1_epi32(#last)))
        } else {
            quote!(_mm512_min_epi32(_mm512_max_epi32(#raw, _mm512_setzero_si512()), _mm512_set1_epi32(#last)))
        };
        quote!({
            #table
            let #index = #inside;
            _mm512_i32gather_ps::<4>(#index, TABLE.as_ptr())
        })
    }
}

impl MaskedTail for Avx512 {
    fn mask(&self, rest: &Ident) -> TokenStream {
        quote!(((1u32 << #rest) - 1) as __mmask16)
    }
    fn load(&self, mask: &Ident, ptr: TokenStream) -> TokenStream {
        quote!(_mm512_mask_loadu_ps(_mm512_set1_ps(*#ptr), #mask, #ptr))
    }
    fn store(&self, ptr: TokenStream, mask: &Ident, value: TokenStream) -> TokenStream {
        quote!(_mm512_mask_storeu_ps(#ptr, #mask, #value))
    }
}

impl StreamingStores for Avx512 {
    fn store(&self, ptr: TokenStream, value: TokenStream) -> TokenStream {
        quote!(_mm512_stream_ps(#ptr, #value))
    }
    fn fence(&self) -> TokenStream {
        quote!(_mm_sfence())
    }
}
