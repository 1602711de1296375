//! What the three x86 targets share: the prefetch, and, parameterised by
//! register width, the f64-lane operations, spelled `_mm_*_pd`, `_mm256_*_pd`
//! or `_mm512_*_pd`.
//! A target overrides only what its width lacks (AVX-512F has no `xor_pd`).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ir::{BinOp, UnOp};

/// The SSE prefetch every x86 target has, into all cache levels.
pub fn prefetch(ptr: TokenStream) -> TokenStream {
    quote!(_mm_prefetch::<_MM_HINT_T0>(#ptr.cast::<i8>()))
}

/// Packed doubles in registers of `bits` bits, intrinsics named `prefix_*`.
pub struct PackedDouble {
    prefix: &'static str,
    bits: u32,
}

pub const SSE2: PackedDouble = PackedDouble {
    prefix: "_mm",
    bits: 128,
};
pub const AVX2: PackedDouble = PackedDouble {
    prefix: "_mm256",
    bits: 256,
};
pub const AVX512: PackedDouble = PackedDouble {
    prefix: "_mm512",
    bits: 512,
};

impl PackedDouble {
    fn pd(&self, op: &str) -> proc_macro2::Ident {
        format_ident!("{}_{op}_pd", self.prefix)
    }

    pub fn splat(&self, value: TokenStream) -> TokenStream {
        let set1 = self.pd("set1");
        quote!(#set1(#value))
    }

    /// `Neg` and `Abs` as sign-bit operations, and `Pow2i`; `Round` is the target's.
    pub fn unary(&self, op: UnOp, a: TokenStream) -> TokenStream {
        let minus_zero = self.splat(quote!(-0.0));
        match op {
            UnOp::Neg => {
                let xor = self.pd("xor");
                quote!(#xor(#a, #minus_zero))
            }
            UnOp::Abs => {
                let andnot = self.pd("andnot");
                quote!(#andnot(#minus_zero, #a))
            }
            UnOp::Pow2i => {
                let (add, bits) = (self.pd("add"), self.bits);
                let to_int = format_ident!("{}_castpd_si{bits}", self.prefix);
                let to_pd = format_ident!("{}_castsi{bits}_pd", self.prefix);
                let shift = format_ident!("{}_slli_epi64", self.prefix);
                let bias = self.splat(quote!(#BIAS));
                quote!(#to_pd(#shift(#to_int(#add(#a, #bias)), 52)))
            }
            other => unreachable!("no shared f64 form of {other:?}"),
        }
    }

    pub fn binary(&self, op: BinOp, a: TokenStream, b: TokenStream) -> TokenStream {
        let name = match op {
            BinOp::Add => "add",
            BinOp::Sub => "sub",
            BinOp::Mul => "mul",
            BinOp::Div => "div",
            other => unreachable!("no f64 form of {other:?}"),
        };
        let f = self.pd(name);
        quote!(#f(#a, #b))
    }

    /// The fused multiply-add of AVX2 and AVX-512.
    pub fn fmadd(&self, a: TokenStream, b: TokenStream, c: TokenStream) -> TokenStream {
        let f = self.pd("fmadd");
        quote!(#f(#a, #b, #c))
    }
}

const BIAS: f64 = super::POW2I_F64_BIAS;
