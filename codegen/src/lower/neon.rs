//! AArch64 Advanced SIMD: 4 lanes, fused multiply-add (`vfmaq_f32`), directed
//! rounding instructions, bit-select for masks. The tail goes through a padded
//! stack buffer, like SSE2 and AVX2.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::{HalfFormat, Target};
use crate::ir::{BinOp, CmpOp, MaskOp, UnOp};

pub struct Neon;

const BIAS: f64 = super::POW2I_F64_BIAS;

impl Target for Neon {
    fn name(&self) -> &'static str {
        "neon"
    }
    fn isa(&self) -> Ident {
        format_ident!("Neon")
    }
    fn arch(&self) -> TokenStream {
        quote!(target_arch = "aarch64")
    }
    fn prelude(&self) -> TokenStream {
        quote!(
            use ::core::arch::aarch64::*;
        )
    }
    fn features(&self) -> Option<&'static str> {
        Some("neon")
    }
    fn half_formats(&self) -> &'static [HalfFormat] {
        &HalfFormat::ALL
    }
    fn lanes(&self) -> usize {
        4
    }
    fn has_fma(&self) -> bool {
        true
    }
    fn unroll(&self) -> usize {
        4
    }
    fn vector(&self) -> TokenStream {
        quote!(float32x4_t)
    }
    fn splat(&self, value: TokenStream) -> TokenStream {
        quote!(vdupq_n_f32(#value))
    }
    fn load(&self, ptr: TokenStream) -> TokenStream {
        quote!(vld1q_f32(#ptr))
    }
    fn store(&self, ptr: TokenStream, value: TokenStream) -> TokenStream {
        quote!(vst1q_f32(#ptr, #value))
    }
    fn unary(&self, op: UnOp, a: &Ident) -> TokenStream {
        match op {
            UnOp::Neg => quote!(vnegq_f32(#a)),
            UnOp::Abs => quote!(vabsq_f32(#a)),
            UnOp::Sqrt => quote!(vsqrtq_f32(#a)),
            // An 8-bit estimate and one Newton step (vrecps computes 2 - a y).
            UnOp::Recip => quote!({
                let y = vrecpeq_f32(#a);
                vmulq_f32(y, vrecpsq_f32(#a, y))
            }),
            // The same for 1/sqrt: vrsqrts computes (3 - a b) / 2.
            UnOp::Rsqrt => quote!({
                let y = vrsqrteq_f32(#a);
                vmulq_f32(y, vrsqrtsq_f32(vmulq_f32(#a, y), y))
            }),
            UnOp::Floor => quote!(vrndmq_f32(#a)),
            UnOp::Ceil => quote!(vrndpq_f32(#a)),
            UnOp::Round => quote!(vrndnq_f32(#a)),
            UnOp::Trunc => quote!(vrndq_f32(#a)),
            UnOp::Pow2i => quote!(vreinterpretq_f32_s32(vshlq_n_s32(
                vaddq_s32(vcvtnq_s32_f32(#a), vdupq_n_s32(127)),
                23
            ))),
            UnOp::Exponent => quote!(vcvtq_f32_s32(vsubq_s32(
                vreinterpretq_s32_u32(vandq_u32(vshrq_n_u32(vreinterpretq_u32_f32(#a), 23), vdupq_n_u32(0xff))),
                vdupq_n_s32(127)
            ))),
            UnOp::Mantissa => quote!(vreinterpretq_f32_u32(vorrq_u32(
                vandq_u32(vreinterpretq_u32_f32(#a), vdupq_n_u32(0x007f_ffff)),
                vdupq_n_u32(0x3f80_0000)
            ))),
            UnOp::IntBits => quote!(vreinterpretq_f32_s32(vcvtnq_s32_f32(#a))),
            UnOp::Bits => quote!(vcvtq_f32_s32(vreinterpretq_s32_f32(#a))),
        }
    }
    fn binary(&self, op: BinOp, a: &Ident, b: &Ident) -> TokenStream {
        match op {
            BinOp::Add => quote!(vaddq_f32(#a, #b)),
            BinOp::Sub => quote!(vsubq_f32(#a, #b)),
            BinOp::Mul => quote!(vmulq_f32(#a, #b)),
            BinOp::Div => quote!(vdivq_f32(#a, #b)),
            // `fmin`/`fmax` differ from the x86 rule on NaN and signed zeros;
            // compare-and-select reproduces it exactly.
            BinOp::MinRaw => quote!(vbslq_f32(vcltq_f32(#a, #b), #a, #b)),
            BinOp::MaxRaw => quote!(vbslq_f32(vcgtq_f32(#a, #b), #a, #b)),
            BinOp::CopySign => quote!(vbslq_f32(vdupq_n_u32(0x8000_0000), #b, #a)),
        }
    }
    fn fma(&self, a: &Ident, b: &Ident, c: &Ident) -> TokenStream {
        quote!(vfmaq_f32(#c, #a, #b))
    }
    fn cmp(&self, op: CmpOp, a: &Ident, b: &Ident) -> TokenStream {
        match op {
            CmpOp::Lt => quote!(vcltq_f32(#a, #b)),
            CmpOp::Le => quote!(vcleq_f32(#a, #b)),
            CmpOp::Gt => quote!(vcgtq_f32(#a, #b)),
            CmpOp::Ge => quote!(vcgeq_f32(#a, #b)),
            CmpOp::Eq => quote!(vceqq_f32(#a, #b)),
            CmpOp::Ne => quote!(vmvnq_u32(vceqq_f32(#a, #b))),
        }
    }
    fn is_nan(&self, a: &Ident) -> TokenStream {
        quote!(vmvnq_u32(vceqq_f32(#a, #a)))
    }
    fn mask_op(&self, op: MaskOp, a: &Ident, b: &Ident) -> TokenStream {
        match op {
            MaskOp::And => quote!(vandq_u32(#a, #b)),
            MaskOp::Or => quote!(vorrq_u32(#a, #b)),
        }
    }
    fn not(&self, a: &Ident) -> TokenStream {
        quote!(vmvnq_u32(#a))
    }
    fn select(&self, mask: &Ident, if_true: &Ident, if_false: &Ident) -> TokenStream {
        quote!(vbslq_f32(#mask, #if_true, #if_false))
    }
    fn wide_vector(&self) -> TokenStream {
        quote!(float64x2_t)
    }
    fn wide_splat(&self, value: TokenStream) -> TokenStream {
        quote!(vdupq_n_f64(#value))
    }
    fn widen(&self, a: &Ident) -> TokenStream {
        quote!((vcvt_f64_f32(vget_low_f32(#a)), vcvt_high_f64_f32(#a)))
    }
    fn narrow(&self, a: &Ident) -> TokenStream {
        quote!(vcvt_high_f32_f64(vcvt_f32_f64(#a.0), #a.1))
    }
    fn wide_unary(&self, op: UnOp, a: TokenStream) -> TokenStream {
        match op {
            UnOp::Neg => quote!(vnegq_f64(#a)),
            UnOp::Abs => quote!(vabsq_f64(#a)),
            UnOp::Round => quote!(vrndnq_f64(#a)),
            UnOp::Pow2i => quote!(vreinterpretq_f64_s64(vshlq_n_s64(
                vreinterpretq_s64_f64(vaddq_f64(#a, vdupq_n_f64(#BIAS))),
                52
            ))),
            other => unreachable!("no f64 form of {other:?}"),
        }
    }
    fn wide_binary(&self, op: BinOp, a: TokenStream, b: TokenStream) -> TokenStream {
        match op {
            BinOp::Add => quote!(vaddq_f64(#a, #b)),
            BinOp::Sub => quote!(vsubq_f64(#a, #b)),
            BinOp::Mul => quote!(vmulq_f64(#a, #b)),
            BinOp::Div => quote!(vdivq_f64(#a, #b)),
            other => unreachable!("no f64 form of {other:?}"),
        }
    }
    fn wide_fma(&self, a: TokenStream, b: TokenStream, c: TokenStream) -> TokenStream {
        quote!(vfmaq_f64(#c, #a, #b))
    }
    fn any(&self, mask: &Ident) -> TokenStream {
        quote!(vmaxvq_u32(#mask) != 0)
    }
}
