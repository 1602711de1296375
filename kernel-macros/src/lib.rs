//! `#[kernel]`: an element-wise op written once in a small Rust subset, expanded
//! into a portable variant, SSE2, AVX2+FMA, AVX-512 and NEON variants, a WGSL
//! shader, a descriptor and a dispatched slice API.
//!
//! The pipeline, one module each: [`parse`] (Rust subset → checked [`ir`]),
//! [`builtins`] (builtin calls → IR nodes), [`lower`] (IR → per-target code, one
//! file per target), [`emit`] (API, descriptor, dispatch table).

mod builtins;
mod emit;
mod ir;
mod lower;
mod parse;
#[cfg(test)]
mod tests;

use proc_macro::TokenStream;

/// Turns an element-wise `fn(f32, ..) -> f32` into a family of generated
/// variants and a dispatched slice API. See the `kernels` crate for the language.
///
/// Options: `max_ulp = N`, the accuracy every variant is tested against, in
/// units in the last place of the exact result (0.5, the default, means
/// correctly rounded).
#[proc_macro_attribute]
pub fn kernel(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand(attr.into(), item.into()).into()
}

/// The whole expansion, or a `compile_error!` spanned at what was wrong.
fn expand(attr: proc_macro2::TokenStream, item: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    match parse_kernel(attr, item) {
        Ok(kernel) => emit::expand(&kernel).assemble(true),
        Err(err) => err.to_compile_error(),
    }
}

fn parse_kernel(attr: proc_macro2::TokenStream, item: proc_macro2::TokenStream) -> syn::Result<ir::Kernel> {
    let options = parse::options(attr)?;
    let item: syn::ItemFn = syn::parse2(item)?;
    parse::kernel(options, item)
}
