//! The compiler behind `#[kernel]`, as a library: the `simdwise-macros` crate
//! wraps [`expand`], and [`generate`] / [`generate_file`] give any crate the
//! generated code of its own kernels per target, pretty-printed, for snapshot
//! tests (`insta::assert_snapshot!`) and review.
//!
//! The pipeline, one module each: `parse` (Rust subset → checked `ir`),
//! `builtins` (builtin calls → IR nodes), `lower` (IR → per-target code, one
//! file per target), `emit` (API, descriptor, dispatch table).
//!
//! ```
//! let source = r#"
//!     #[kernel(max_ulp = 1)]
//!     pub fn twice(x: f32) -> f32 { x + x }
//! "#;
//! let kernels = simdwise_codegen::generate_file(source).unwrap();
//! let twice = &kernels[0];
//! assert_eq!(twice.name, "twice");
//! let avx2 = twice.target("avx2").unwrap();
//! assert!(avx2.contains("_mm256_add_ps"));
//! assert!(twice.target("wgsl").unwrap().contains("fn k_twice"));
//! ```

mod builtins;
mod emit;
mod interpret;
mod ir;
mod lower;
mod parse;
#[cfg(test)]
mod tests;

pub use interpret::{Program, Semantics};
use proc_macro2::TokenStream;
use quote::ToTokens;

/// The whole expansion of `#[kernel(attr)] item`, or a `compile_error!`
/// spanned at what was wrong.
pub fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    match parse_kernel(attr, item.clone()) {
        Ok(kernel) => emit::expand(&kernel).assemble(true),
        Err(err) => {
            let mut out = err.to_compile_error();
            out.extend(emit::stub(item));
            out
        }
    }
}

fn parse_kernel(attr: TokenStream, item: TokenStream) -> syn::Result<ir::Kernel> {
    let options = parse::options(attr)?;
    let item: syn::ItemFn = syn::parse2(item)?;
    parse::kernel(options, item)
}

/// The generated code of one kernel, pretty-printed: what its snapshots show.
#[derive(Clone, Debug)]
pub struct Generated {
    /// The kernel's name.
    pub name: String,
    /// `(target, source)`: `api` (the slice functions and the descriptor, without
    /// the target modules), then `scalar`, `sse2`, `avx2`, `avx512`, `neon`
    /// (Rust) and `wgsl` (the shader function and its entry point; none for an
    /// f64 helper).
    pub sources: Vec<(&'static str, String)>,
}

impl Generated {
    /// The source generated for `target` (see [`Generated::sources`]).
    pub fn target(&self, target: &str) -> Option<&str> {
        self.sources.iter().find(|(t, _)| *t == target).map(|(_, s)| s.as_str())
    }
}

/// The targets every kernel is generated for, as named in [`Generated::sources`].
pub const TARGETS: [&str; 7] = ["api", "scalar", "sse2", "avx2", "avx512", "neon", "wgsl"];

/// Generates the code of the kernel `item` with attribute arguments `attr`
/// (as in `#[kernel(attr)]`); the error is the one the macro would report.
pub fn generate(attr: TokenStream, item: TokenStream) -> syn::Result<Generated> {
    let kernel = parse_kernel(attr, item)?;
    let expansion = emit::expand(&kernel);
    let mut sources = vec![("api", pretty(expansion.assemble(false)))];
    for (target, module) in &expansion.targets {
        sources.push((*target, pretty(module.clone())));
    }
    // An f64 helper has no shader: kernels call it only where f64 lanes exist.
    if !kernel.wide {
        let shader = format!(
            "{}\n{}{}",
            lower::wgsl::function(&kernel),
            lower::wgsl::PRELUDE,
            lower::wgsl::entry(&kernel)
        );
        sources.push(("wgsl", shader));
    }
    Ok(Generated {
        name: kernel.name.to_string(),
        sources,
    })
}

/// Generates every `#[kernel]` function of a Rust source file (top-level items
/// and inline modules), in order: a user's snapshot test passes
/// `include_str!("../src/lib.rs")`. The error names the kernel that failed.
pub fn generate_file(source: &str) -> Result<Vec<Generated>, String> {
    let file = syn::parse_file(source).map_err(|e| format!("the source does not parse: {e}"))?;
    let mut found = Vec::new();
    collect(file.items, &mut found);
    found
        .into_iter()
        .map(|(attr, item)| {
            let name = item.sig.ident.to_string();
            generate(attr, item.into_token_stream()).map_err(|e| format!("kernel `{name}`: {e}"))
        })
        .collect()
}

/// `(attribute arguments, item without the attribute)` of every `#[kernel]` fn.
fn collect(items: Vec<syn::Item>, found: &mut Vec<(TokenStream, syn::ItemFn)>) {
    for item in items {
        match item {
            syn::Item::Fn(mut f) => {
                let Some(pos) = f.attrs.iter().position(is_kernel_attr) else {
                    continue;
                };
                let attr = f.attrs.remove(pos);
                let args = match attr.meta {
                    syn::Meta::List(list) => list.tokens,
                    _ => TokenStream::new(),
                };
                found.push((args, f));
            }
            syn::Item::Mod(m) => collect(m.content.map(|(_, items)| items).unwrap_or_default(), found),
            _ => {}
        }
    }
}

/// `#[kernel]` or a path ending in `kernel` (`#[simdwise::kernel]`).
fn is_kernel_attr(attr: &syn::Attribute) -> bool {
    attr.path().segments.last().is_some_and(|s| s.ident == "kernel")
}

fn pretty(tokens: TokenStream) -> String {
    match syn::parse2(tokens.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        // Generated code always parses; should it not, show it unformatted.
        Err(_) => tokens.to_string(),
    }
}
