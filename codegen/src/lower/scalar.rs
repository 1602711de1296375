//! The portable target: plain `f32` arithmetic, the reference and the fallback.
//! `fma` is `a * b + c` here (two roundings), like SSE2: a software fused
//! multiply-add would cost more than the whole kernel on CPUs without FMA.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::Target;
use crate::ir::{BinOp, CmpOp, MaskOp, UnOp};

pub struct Scalar;

const BIAS: f64 = super::POW2I_F64_BIAS;

impl Target for Scalar {
    fn name(&self) -> &'static str {
        "scalar"
    }
    fn isa(&self) -> Ident {
        format_ident!("Scalar")
    }
    fn arch(&self) -> TokenStream {
        quote!(all())
    }
    fn prelude(&self) -> TokenStream {
        quote!()
    }
    fn features(&self) -> Option<&'static str> {
        None
    }
    fn lanes(&self) -> usize {
        1
    }
    fn has_fma(&self) -> bool {
        false
    }
    fn unroll(&self) -> usize {
        1
    }
    fn vector(&self) -> TokenStream {
        quote!(f32)
    }
    fn splat(&self, value: TokenStream) -> TokenStream {
        value
    }
    fn load(&self, ptr: TokenStream) -> TokenStream {
        quote!(*#ptr)
    }
    fn store(&self, ptr: TokenStream, value: TokenStream) -> TokenStream {
        quote!(*#ptr = #value)
    }
    fn unary(&self, op: UnOp, a: &Ident) -> TokenStream {
        match op {
            UnOp::Neg => quote!(-#a),
            UnOp::Abs => quote!(#a.abs()),
            UnOp::Sqrt => quote!(#a.sqrt()),
            UnOp::Recip => quote!(1.0 / #a),
            UnOp::Rsqrt => quote!(1.0 / #a.sqrt()),
            UnOp::Floor => quote!(#a.floor()),
            UnOp::Ceil => quote!(#a.ceil()),
            UnOp::Round => quote!(#a.round_ties_even()),
            UnOp::Trunc => quote!(#a.trunc()),
            // Wrapping integer steps: an out-of-range `k` gives an unspecified
            // value, never a panic.
            UnOp::Pow2i => {
                quote!(f32::from_bits(((#a as i32).wrapping_add(127)).wrapping_shl(23) as u32))
            }
            UnOp::Exponent => quote!(((((#a).to_bits() >> 23) & 0xff) as i32 - 127) as f32),
            UnOp::Mantissa => quote!(f32::from_bits(((#a).to_bits() & 0x007f_ffff) | 0x3f80_0000)),
            UnOp::IntBits => quote!(f32::from_bits(#a as u32)),
            UnOp::Bits => quote!(#a.to_bits() as i32 as f32),
        }
    }
    fn binary(&self, op: BinOp, a: &Ident, b: &Ident) -> TokenStream {
        match op {
            BinOp::Add => quote!(#a + #b),
            BinOp::Sub => quote!(#a - #b),
            BinOp::Mul => quote!(#a * #b),
            BinOp::Div => quote!(#a / #b),
            BinOp::MinRaw => quote!(if #a < #b { #a } else { #b }),
            BinOp::MaxRaw => quote!(if #a > #b { #a } else { #b }),
            BinOp::CopySign => quote!(#a.copysign(#b)),
        }
    }
    fn fma(&self, a: &Ident, b: &Ident, c: &Ident) -> TokenStream {
        quote!(#a * #b + #c)
    }
    fn cmp(&self, op: CmpOp, a: &Ident, b: &Ident) -> TokenStream {
        match op {
            CmpOp::Lt => quote!(#a < #b),
            CmpOp::Le => quote!(#a <= #b),
            CmpOp::Gt => quote!(#a > #b),
            CmpOp::Ge => quote!(#a >= #b),
            CmpOp::Eq => quote!(#a == #b),
            CmpOp::Ne => quote!(#a != #b),
        }
    }
    fn is_nan(&self, a: &Ident) -> TokenStream {
        quote!(#a.is_nan())
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
        quote!(if #mask { #if_true } else { #if_false })
    }
    fn any(&self, mask: &Ident) -> TokenStream {
        quote!(#mask)
    }
    fn wide_parts(&self) -> usize {
        1
    }
    fn wide_vector(&self) -> TokenStream {
        quote!(f64)
    }
    fn wide_splat(&self, value: TokenStream) -> TokenStream {
        value
    }
    fn widen(&self, a: &Ident) -> TokenStream {
        quote!((#a as f64,))
    }
    fn narrow(&self, a: &Ident) -> TokenStream {
        quote!(#a.0 as f32)
    }
    fn wide_unary(&self, op: UnOp, a: TokenStream) -> TokenStream {
        match op {
            UnOp::Neg => quote!(-#a),
            UnOp::Abs => quote!(#a.abs()),
            UnOp::Round => quote!(#a.round_ties_even()),
            UnOp::Pow2i => quote!(f64::from_bits((#a + #BIAS).to_bits().wrapping_shl(52))),
            other => unreachable!("no f64 form of {other:?}"),
        }
    }
    fn wide_binary(&self, op: BinOp, a: TokenStream, b: TokenStream) -> TokenStream {
        match op {
            BinOp::Add => quote!(#a + #b),
            BinOp::Sub => quote!(#a - #b),
            BinOp::Mul => quote!(#a * #b),
            BinOp::Div => quote!(#a / #b),
            other => unreachable!("no f64 form of {other:?}"),
        }
    }
    fn wide_fma(&self, a: TokenStream, b: TokenStream, c: TokenStream) -> TokenStream {
        quote!(#a * #b + #c)
    }
    fn table(&self, i: &Ident, values: &[f32]) -> TokenStream {
        let table = super::table_const(values);
        let entry = super::table_entry(quote!(#i), values.len());
        quote!({
            #table
            #entry
        })
    }
}
