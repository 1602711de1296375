//! `#[kernel]`: an element-wise op written once in a small Rust subset, expanded
//! into a portable variant, SSE2, AVX2+FMA, AVX-512 and NEON variants, a WGSL
//! shader, a descriptor and a dispatched slice API. The compiler itself is the
//! `simdwise-codegen` library, which also gives the generated code as text.

use proc_macro::TokenStream;

/// Turns an element-wise `fn(f32, ..) -> f32` into a family of generated
/// variants and a dispatched slice API. See the `simdwise` crate for the language.
///
/// Options: `max_ulp = N`, the accuracy every variant is tested against, in
/// units in the last place of the exact result (0.5, the default, means
/// correctly rounded).
#[proc_macro_attribute]
pub fn kernel(attr: TokenStream, item: TokenStream) -> TokenStream {
    simdwise_codegen::expand(attr.into(), item.into()).into()
}
