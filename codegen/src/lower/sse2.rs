//! SSE2: the x86-64 baseline, 4 lanes. It lacks FMA and `roundps`, so `fma` is a
//! multiply and an add, and rounding uses the 2^23 trick below.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};

use super::{StreamingStores, Target, x86};
use crate::ir::{BinOp, CmpOp, MaskOp, UnOp};

pub struct Sse2;

impl Sse2 {
    /// Round to an integer without SSE4.1: adding and subtracting 2^23 to the
    /// magnitude rounds it to nearest-even in the FPU; `adjust` turns that into
    /// floor/ceil/trunc. Values of 2^23 and more (and NaN) are already integral
    /// and pass through. Every result carries the input's sign, as IEEE requires
    /// (`ceil(-0.5)` is `-0.0`).
    fn round(&self, a: &Ident, op: UnOp) -> TokenStream {
        let adjust = match op {
            UnOp::Round => quote!(),
            // Compare against the magnitude: the result is re-signed below.
            UnOp::Trunc => {
                quote_spanned!(Span::mixed_site()=> let r = _mm_sub_ps(r, _mm_and_ps(_mm_cmpgt_ps(r, mag), one));)
            }
            // Floor keeps the input's sign by itself: the final OR is a no-op.
            UnOp::Floor => quote_spanned! {Span::mixed_site()=>
                let r = _mm_or_ps(r, sign);
                let r = _mm_sub_ps(r, _mm_and_ps(_mm_cmpgt_ps(r, #a), one));
            },
            // Ceil of (-1, -0.5) lands on +0: drop the sign so the OR restores -0.
            UnOp::Ceil => quote_spanned! {Span::mixed_site()=>
                let r = _mm_or_ps(r, sign);
                let r = _mm_add_ps(r, _mm_and_ps(_mm_cmplt_ps(r, #a), one));
                let r = _mm_andnot_ps(_mm_set1_ps(-0.0), r);
            },
            _ => unreachable!("not a rounding operation"),
        };
        // Mixed-site hygiene: these temporaries cannot shadow a parameter named `a`.
        quote_spanned! {Span::mixed_site()=> {
            let sign = _mm_and_ps(#a, _mm_set1_ps(-0.0));
            let mag = _mm_andnot_ps(_mm_set1_ps(-0.0), #a);
            let big = _mm_set1_ps(8388608.0);
            let one = _mm_set1_ps(1.0);
            let r = _mm_sub_ps(_mm_add_ps(mag, big), big);
            #adjust
            let r = _mm_or_ps(r, sign);
            let small = _mm_cmplt_ps(mag, big);
            _mm_or_ps(_mm_and_ps(small, r), _mm_andnot_ps(small, #a))
        }}
    }
}

impl Target for Sse2 {
    fn name(&self) -> &'static str {
        "sse2"
    }
    fn isa(&self) -> Ident {
        format_ident!("Sse2")
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
        Some("sse2")
    }
    fn lanes(&self) -> usize {
        4
    }
    fn has_fma(&self) -> bool {
        false
    }
    fn unroll(&self) -> usize {
        4
    }
    fn vector(&self) -> TokenStream {
        quote!(__m128)
    }
    fn splat(&self, value: TokenStream) -> TokenStream {
        quote!(_mm_set1_ps(#value))
    }
    fn load(&self, ptr: TokenStream) -> TokenStream {
        quote!(_mm_loadu_ps(#ptr))
    }
    fn store(&self, ptr: TokenStream, value: TokenStream) -> TokenStream {
        quote!(_mm_storeu_ps(#ptr, #value))
    }
    fn streaming(&self) -> Option<&dyn StreamingStores> {
        Some(self)
    }
    fn prefetch(&self, ptr: TokenStream) -> Option<TokenStream> {
        Some(x86::prefetch(ptr))
    }
    fn unary(&self, op: UnOp, a: &Ident) -> TokenStream {
        match op {
            UnOp::Neg => quote!(_mm_xor_ps(#a, _mm_set1_ps(-0.0))),
            UnOp::Abs => quote!(_mm_andnot_ps(_mm_set1_ps(-0.0), #a)),
            UnOp::Sqrt => quote!(_mm_sqrt_ps(#a)),
            // A 12-bit estimate and one Newton step, y (2 - a y).
            UnOp::Recip => quote!({
                let y = _mm_rcp_ps(#a);
                _mm_mul_ps(y, _mm_sub_ps(_mm_set1_ps(2.0), _mm_mul_ps(#a, y)))
            }),
            // A 12-bit estimate and one Newton step, y (3 - a y^2) / 2.
            UnOp::Rsqrt => quote!({
                let y = _mm_rsqrt_ps(#a);
                let half_y = _mm_mul_ps(y, _mm_set1_ps(0.5));
                _mm_mul_ps(half_y, _mm_sub_ps(_mm_set1_ps(3.0), _mm_mul_ps(_mm_mul_ps(#a, y), y)))
            }),
            UnOp::Floor | UnOp::Ceil | UnOp::Round | UnOp::Trunc => self.round(a, op),
            UnOp::Pow2i => quote!(_mm_castsi128_ps(_mm_slli_epi32(
                _mm_add_epi32(_mm_cvtps_epi32(#a), _mm_set1_epi32(127)),
                23
            ))),
            UnOp::Exponent => quote!(_mm_cvtepi32_ps(_mm_sub_epi32(
                _mm_and_si128(_mm_srli_epi32(_mm_castps_si128(#a), 23), _mm_set1_epi32(0xff)),
                _mm_set1_epi32(127)
            ))),
            UnOp::Mantissa => quote!(_mm_castsi128_ps(_mm_or_si128(
                _mm_and_si128(_mm_castps_si128(#a), _mm_set1_epi32(0x007f_ffff)),
                _mm_set1_epi32(0x3f80_0000)
            ))),
            UnOp::IntBits => quote!(_mm_castsi128_ps(_mm_cvtps_epi32(#a))),
            UnOp::Bits => quote!(_mm_cvtepi32_ps(_mm_castps_si128(#a))),
        }
    }
    fn binary(&self, op: BinOp, a: &Ident, b: &Ident) -> TokenStream {
        match op {
            BinOp::Add => quote!(_mm_add_ps(#a, #b)),
            BinOp::Sub => quote!(_mm_sub_ps(#a, #b)),
            BinOp::Mul => quote!(_mm_mul_ps(#a, #b)),
            BinOp::Div => quote!(_mm_div_ps(#a, #b)),
            BinOp::MinRaw => quote!(_mm_min_ps(#a, #b)),
            BinOp::MaxRaw => quote!(_mm_max_ps(#a, #b)),
            BinOp::CopySign => quote!(_mm_or_ps(
                _mm_andnot_ps(_mm_set1_ps(-0.0), #a),
                _mm_and_ps(_mm_set1_ps(-0.0), #b)
            )),
        }
    }
    fn fma(&self, a: &Ident, b: &Ident, c: &Ident) -> TokenStream {
        quote!(_mm_add_ps(_mm_mul_ps(#a, #b), #c))
    }
    fn cmp(&self, op: CmpOp, a: &Ident, b: &Ident) -> TokenStream {
        match op {
            CmpOp::Lt => quote!(_mm_cmplt_ps(#a, #b)),
            CmpOp::Le => quote!(_mm_cmple_ps(#a, #b)),
            CmpOp::Gt => quote!(_mm_cmpgt_ps(#a, #b)),
            CmpOp::Ge => quote!(_mm_cmpge_ps(#a, #b)),
            CmpOp::Eq => quote!(_mm_cmpeq_ps(#a, #b)),
            CmpOp::Ne => quote!(_mm_cmpneq_ps(#a, #b)),
        }
    }
    fn is_nan(&self, a: &Ident) -> TokenStream {
        quote!(_mm_cmpunord_ps(#a, #a))
    }
    fn mask_op(&self, op: MaskOp, a: &Ident, b: &Ident) -> TokenStream {
        match op {
            MaskOp::And => quote!(_mm_and_ps(#a, #b)),
            MaskOp::Or => quote!(_mm_or_ps(#a, #b)),
        }
    }
    fn not(&self, a: &Ident) -> TokenStream {
        quote!(_mm_xor_ps(#a, _mm_castsi128_ps(_mm_set1_epi32(-1))))
    }
    fn select(&self, mask: &Ident, if_true: &Ident, if_false: &Ident) -> TokenStream {
        quote!(_mm_or_ps(_mm_and_ps(#mask, #if_true), _mm_andnot_ps(#mask, #if_false)))
    }
    fn wide_vector(&self) -> TokenStream {
        quote!(__m128d)
    }
    fn wide_splat(&self, value: TokenStream) -> TokenStream {
        x86::SSE2.splat(value)
    }
    fn widen(&self, a: &Ident) -> TokenStream {
        quote!((_mm_cvtps_pd(#a), _mm_cvtps_pd(_mm_movehl_ps(#a, #a))))
    }
    fn narrow(&self, a: &Ident) -> TokenStream {
        quote!(_mm_movelh_ps(_mm_cvtpd_ps(#a.0), _mm_cvtpd_ps(#a.1)))
    }
    fn wide_unary(&self, op: UnOp, a: TokenStream) -> TokenStream {
        match op {
            UnOp::Round => quote_spanned! {Span::mixed_site()=> {
                let a = #a;
                let mag = _mm_andnot_pd(_mm_set1_pd(-0.0), a);
                let big = _mm_set1_pd(4503599627370496.0);
                let r = _mm_or_pd(_mm_sub_pd(_mm_add_pd(mag, big), big), _mm_and_pd(a, _mm_set1_pd(-0.0)));
                let small = _mm_cmplt_pd(mag, big);
                _mm_or_pd(_mm_and_pd(small, r), _mm_andnot_pd(small, a))
            }},
            other => x86::SSE2.unary(other, a),
        }
    }
    fn wide_binary(&self, op: BinOp, a: TokenStream, b: TokenStream) -> TokenStream {
        x86::SSE2.binary(op, a, b)
    }
    fn wide_fma(&self, a: TokenStream, b: TokenStream, c: TokenStream) -> TokenStream {
        let product = x86::SSE2.binary(BinOp::Mul, a, b);
        x86::SSE2.binary(BinOp::Add, product, c)
    }
    fn any(&self, mask: &Ident) -> TokenStream {
        quote!(_mm_movemask_ps(#mask) != 0)
    }
}

impl StreamingStores for Sse2 {
    fn store(&self, ptr: TokenStream, value: TokenStream) -> TokenStream {
        quote!(_mm_stream_ps(#ptr, #value))
    }
    fn fence(&self) -> TokenStream {
        quote!(_mm_sfence())
    }
}
