//! AVX2 with FMA and F16C (every CPU with the first two has the third): 8 lanes, fused multiply-add, `vroundps` and `vblendvps`.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::{HalfFormat, StreamingStores, Target, x86};
use crate::ir::{BinOp, CmpOp, MaskOp, UnOp};

pub struct Avx2;

impl Target for Avx2 {
    fn name(&self) -> &'static str {
        "avx2"
    }
    fn isa(&self) -> Ident {
        format_ident!("Avx2")
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
        Some("avx2,fma,f16c")
    }
    fn half_formats(&self) -> &'static [HalfFormat] {
        &HalfFormat::ALL
    }
    fn lanes(&self) -> usize {
        8
    }
    fn has_fma(&self) -> bool {
        true
    }
    fn unroll(&self) -> usize {
        4
    }
    fn vector(&self) -> TokenStream {
        quote!(__m256)
    }
    fn splat(&self, value: TokenStream) -> TokenStream {
        quote!(_mm256_set1_ps(#value))
    }
    fn load(&self, ptr: TokenStream) -> TokenStream {
        quote!(_mm256_loadu_ps(#ptr))
    }
    fn store(&self, ptr: TokenStream, value: TokenStream) -> TokenStream {
        quote!(_mm256_storeu_ps(#ptr, #value))
    }
    fn streaming(&self) -> Option<&dyn StreamingStores> {
        Some(self)
    }
    fn prefetch(&self, ptr: TokenStream) -> Option<TokenStream> {
        Some(x86::prefetch(ptr))
    }
    fn unary(&self, op: UnOp, a: &Ident) -> TokenStream {
        match op {
            UnOp::Neg => quote!(_mm256_xor_ps(#a, _mm256_set1_ps(-0.0))),
            UnOp::Abs => quote!(_mm256_andnot_ps(_mm256_set1_ps(-0.0), #a)),
            UnOp::Sqrt => quote!(_mm256_sqrt_ps(#a)),
            // A 12-bit estimate and one Newton step.
            UnOp::Recip => quote!({
                let y = _mm256_rcp_ps(#a);
                _mm256_fmadd_ps(y, _mm256_fnmadd_ps(#a, y, _mm256_set1_ps(1.0)), y)
            }),
            // A 12-bit estimate and one Newton step, y (3 - a y^2) / 2.
            UnOp::Rsqrt => quote!({
                let y = _mm256_rsqrt_ps(#a);
                let half_y = _mm256_mul_ps(y, _mm256_set1_ps(0.5));
                _mm256_mul_ps(half_y, _mm256_fnmadd_ps(_mm256_mul_ps(#a, y), y, _mm256_set1_ps(3.0)))
            }),
            UnOp::Floor => quote!(_mm256_round_ps(#a, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC)),
            UnOp::Ceil => quote!(_mm256_round_ps(#a, _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC)),
            UnOp::Round => {
                quote!(_mm256_round_ps(#a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC))
            }
            UnOp::Trunc => quote!(_mm256_round_ps(#a, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC)),
            UnOp::Pow2i => quote!(_mm256_castsi256_ps(_mm256_slli_epi32(
                _mm256_add_epi32(_mm256_cvtps_epi32(#a), _mm256_set1_epi32(127)),
                23
            ))),
            UnOp::Exponent => quote!(_mm256_cvtepi32_ps(_mm256_sub_epi32(
                _mm256_and_si256(_mm256_srli_epi32(_mm256_castps_si256(#a), 23), _mm256_set1_epi32(0xff)),
                _mm256_set1_epi32(127)
            ))),
            UnOp::Mantissa => quote!(_mm256_castsi256_ps(_mm256_or_si256(
                _mm256_and_si256(_mm256_castps_si256(#a), _mm256_set1_epi32(0x007f_ffff)),
                _mm256_set1_epi32(0x3f80_0000)
            ))),
            UnOp::IntBits => quote!(_mm256_castsi256_ps(_mm256_cvtps_epi32(#a))),
            UnOp::Bits => quote!(_mm256_cvtepi32_ps(_mm256_castps_si256(#a))),
        }
    }
    fn binary(&self, op: BinOp, a: &Ident, b: &Ident) -> TokenStream {
        match op {
            BinOp::Add => quote!(_mm256_add_ps(#a, #b)),
            BinOp::Sub => quote!(_mm256_sub_ps(#a, #b)),
            BinOp::Mul => quote!(_mm256_mul_ps(#a, #b)),
            BinOp::Div => quote!(_mm256_div_ps(#a, #b)),
            BinOp::MinRaw => quote!(_mm256_min_ps(#a, #b)),
            BinOp::MaxRaw => quote!(_mm256_max_ps(#a, #b)),
            BinOp::CopySign => quote!(_mm256_or_ps(
                _mm256_andnot_ps(_mm256_set1_ps(-0.0), #a),
                _mm256_and_ps(_mm256_set1_ps(-0.0), #b)
            )),
        }
    }
    fn fma(&self, a: &Ident, b: &Ident, c: &Ident) -> TokenStream {
        quote!(_mm256_fmadd_ps(#a, #b, #c))
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
        quote!(_mm256_cmp_ps(#a, #b, #predicate))
    }
    fn is_nan(&self, a: &Ident) -> TokenStream {
        quote!(_mm256_cmp_ps(#a, #a, _CMP_UNORD_Q))
    }
    fn mask_op(&self, op: MaskOp, a: &Ident, b: &Ident) -> TokenStream {
        match op {
            MaskOp::And => quote!(_mm256_and_ps(#a, #b)),
            MaskOp::Or => quote!(_mm256_or_ps(#a, #b)),
        }
    }
    fn not(&self, a: &Ident) -> TokenStream {
        quote!(_mm256_xor_ps(#a, _mm256_castsi256_ps(_mm256_set1_epi32(-1))))
    }
    fn select(&self, mask: &Ident, if_true: &Ident, if_false: &Ident) -> TokenStream {
        quote!(_mm256_blendv_ps(#if_false, #if_true, #mask))
    }
    fn wide_vector(&self) -> TokenStream {
        quote!(__m256d)
    }
    fn wide_splat(&self, value: TokenStream) -> TokenStream {
        x86::AVX2.splat(value)
    }
    fn widen(&self, a: &Ident) -> TokenStream {
        quote!((
            _mm256_cvtps_pd(_mm256_castps256_ps128(#a)),
            _mm256_cvtps_pd(_mm256_extractf128_ps(#a, 1))
        ))
    }
    fn narrow(&self, a: &Ident) -> TokenStream {
        quote!(_mm256_set_m128(_mm256_cvtpd_ps(#a.1), _mm256_cvtpd_ps(#a.0)))
    }
    fn wide_unary(&self, op: UnOp, a: TokenStream) -> TokenStream {
        match op {
            UnOp::Round => quote!(_mm256_round_pd(#a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)),
            other => x86::AVX2.unary(other, a),
        }
    }
    fn wide_binary(&self, op: BinOp, a: TokenStream, b: TokenStream) -> TokenStream {
        x86::AVX2.binary(op, a, b)
    }
    fn wide_fma(&self, a: TokenStream, b: TokenStream, c: TokenStream) -> TokenStream {
        x86::AVX2.fmadd(a, b, c)
    }
    fn any(&self, mask: &Ident) -> TokenStream {
        quote!(_mm256_movemask_ps(#mask) != 0)
    }
    fn table(&self, i: &Ident, values: &[f32]) -> TokenStream {
        let index = super::local("index");
        let entries = super::padded(values, values.len().next_power_of_two().clamp(8, 32));
        let permute = |part: &[TokenStream]| quote!(_mm256_permutevar8x32_ps(_mm256_setr_ps(#(#part),*), #index));
        // Up to 32 entries: one permute per 8 (each reads the low 3 index
        // bits), merged by blends on index bits 3 and 4 shifted into the sign
        // bit that `vblendvps` reads. Any index stays inside the table; this
        // beats a gather (about 4x on Zen 3 for tanh's 30 entries).
        let picked = match values.len() {
            0..=8 => permute(&entries),
            9..=32 => {
                let halves: Vec<TokenStream> = entries
                    .chunks(16)
                    .map(|sixteen| {
                        let (lo, hi) = sixteen.split_at(8);
                        let (lo, hi) = (permute(lo), permute(hi));
                        quote!(_mm256_blendv_ps(#lo, #hi, _mm256_castsi256_ps(_mm256_slli_epi32(#index, 28))))
                    })
                    .collect();
                match halves.as_slice() {
                    [one] => one.clone(),
                    [lo, hi] => quote!(_mm256_blendv_ps(#lo, #hi, _mm256_castsi256_ps(_mm256_slli_epi32(#index, 27)))),
                    _ => unreachable!("at most 32 entries"),
                }
            }
            _ => {
                let table = super::table_const(values);
                let last = values.len() as i32 - 1;
                // The index is brought into the table before the gather reads
                // memory: masked to a power-of-two length, otherwise clamped
                // (a NaN converts to i32::MIN, clamped to 0).
                let raw = quote!(_mm256_cvttps_epi32(#i));
                let inside = if values.len().is_power_of_two() {
                    quote!(_mm256_and_si256(#raw, _mm256_set1_epi32(#last)))
                } else {
                    quote!(_mm256_min_epi32(_mm256_max_epi32(#raw, _mm256_setzero_si256()), _mm256_set1_epi32(#last)))
                };
                return quote!({
                    #table
                    let #index = #inside;
                    _mm256_i32gather_ps::<4>(TABLE.as_ptr(), #index)
                });
            }
        };
        quote!({
            let #index = _mm256_cvttps_epi32(#i);
            #picked
        })
    }
}

impl StreamingStores for Avx2 {
    fn store(&self, ptr: TokenStream, value: TokenStream) -> TokenStream {
        quote!(_mm256_stream_ps(#ptr, #value))
    }
    fn fence(&self) -> TokenStream {
        quote!(_mm_sfence())
    }
}
