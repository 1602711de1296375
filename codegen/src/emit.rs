//! Assembly of everything `#[kernel]` expands to: the dispatched slice function,
//! and a module of the same name holding the descriptor, the in-place form, the
//! per-ISA entry point, the per-element scalar function and one module per target.
//!
//! The function and the module share the kernel's name (they live in different
//! namespaces), so `use simdwise::tanh;` brings both, and another kernel calling
//! `tanh(..)` finds `tanh::<target>::eval` through ordinary name resolution, in
//! any crate.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use crate::ir::{Kernel, ParamKind};
use crate::lower::{self, f32_literal, wgsl};

/// The items a kernel's module defines besides its functions and target
/// modules: names its parameters cannot take.
pub const ITEMS: &[&str] = &["KERNEL", "COST", "VARIANTS"];

/// The expansion of one kernel, in parts so snapshots can show each alone.
pub struct Expansion {
    function: TokenStream,
    module_head: TokenStream,
    module_items: TokenStream,
    /// `(target name, module)` for every target.
    pub targets: Vec<(&'static str, TokenStream)>,
}

impl Expansion {
    /// The dispatched function and the kernel's module, with the target
    /// modules inside it or (for review) without them.
    pub fn assemble(&self, with_targets: bool) -> TokenStream {
        let Expansion {
            function,
            module_head,
            module_items,
            targets,
        } = self;
        let targets = targets.iter().filter(|_| with_targets).map(|(_, m)| m);
        quote! {
            #function
            #module_head {
                #module_items
                #(#targets)*
            }
        }
    }
}

pub fn expand(k: &Kernel) -> Expansion {
    let targets = lower::targets();
    let modules = targets
        .iter()
        .map(|t| (t.name(), lower::target_module(k, t.as_ref())))
        .collect();

    let name = &k.name;
    let vis = &k.vis;
    if k.wide {
        return helper(k, modules);
    }
    let name_str = name.to_string();
    let streams: Vec<&Ident> = k.streams().map(|p| &p.name).collect();
    let scalars: Vec<&Ident> = k.scalars().map(|p| &p.name).collect();
    let stream_strs: Vec<String> = streams.iter().map(|s| s.to_string()).collect();
    let scalar_strs: Vec<String> = scalars.iter().map(|s| s.to_string()).collect();
    let docs = &k.docs;
    let rt = quote!(::simdwise_runtime);
    let result = quote!(::core::result::Result<(), #rt::KernelError>);

    // Each stream and the output may have its own element type (f32, f16,
    // bf16); the names cannot meet a user's (kernel parameters are values).
    let stream_tys: Vec<Ident> = (0..streams.len()).map(|i| format_ident!("__SimdwiseIn{i}")).collect();
    let out_ty = format_ident!("__SimdwiseOut");
    let stream_ty = |n: &Ident| &stream_tys[streams.iter().position(|s| *s == n).expect("a stream")];
    // Slice signature in declaration order: streams as slices, scalars as `f32`.
    let slice_params: Vec<TokenStream> = k
        .params
        .iter()
        .map(|p| {
            let n = &p.name;
            match p.kind {
                ParamKind::Stream => {
                    let t = stream_ty(n);
                    quote!(#n: &[#t])
                }
                ParamKind::Scalar => quote!(#n: f32),
            }
        })
        .collect();
    let scalar_params: Vec<TokenStream> = k
        .params
        .iter()
        .map(|p| {
            let n = &p.name;
            quote!(#n: f32)
        })
        .collect();
    let all_names: Vec<&Ident> = k.params.iter().map(|p| &p.name).collect();
    let (first, others) = streams.split_first().expect("parser guarantees one stream");
    let in_place_params: Vec<TokenStream> = k
        .params
        .iter()
        .map(|p| {
            let n = &p.name;
            match p.kind {
                ParamKind::Stream => {
                    let t = stream_ty(n);
                    if n == *first {
                        quote!(#n: &mut [#t])
                    } else {
                        quote!(#n: &[#t])
                    }
                }
                ParamKind::Scalar => quote!(#n: f32),
            }
        })
        .collect();

    // Mixed-site hygiene: a kernel parameter may itself be named `out` or `isa`.
    let (out, isa) = (lower::local("out"), lower::local("isa"));
    let generics = quote!(<#(#stream_tys: #rt::Element,)* #out_ty: #rt::Element>);
    let in_place_generics = quote!(<#(#stream_tys: #rt::Element),*>);
    let function = quote! {
        #(#docs)*
        #vis fn #name #generics(#(#slice_params,)* #out: &mut [#out_ty]) -> #result {
            #rt::run_elements(
                &#name::KERNEL,
                &[#(#rt::Element::source(#streams)),*],
                &[#(#scalars),*],
                #rt::Element::target(#out),
            )
        }
    };

    let own_cost = k.own_cost();
    let cost_callees = k.cost_callees();
    let gpu_callees = k.gpu_callees();
    let max_ulp = f32_literal(k.max_ulp);
    let variants = variant_tables(&targets);
    let wgsl_function = wgsl::function(k);
    let wgsl_prelude = wgsl::PRELUDE;
    let wgsl_entry = wgsl::entry(k);
    let module_doc = format!(
        "Generated items of the [`{name_str}`](fn@{name_str}) kernel: descriptor, in-place and per-ISA forms, the per-element function."
    );
    let in_place_doc = format!("`{name_str}` in place: the result overwrites `{first}`.");
    let with_isa_doc = format!(
        "`{name_str}` with the variant for `isa`; an error if this CPU lacks it or the kernel has no such variant."
    );
    let scalar_doc = format!("`{name_str}` on one element (the portable variant).");
    let module_head = quote! {
        #[doc = #module_doc]
        #vis mod #name
    };
    let module_items = quote! {
        #[allow(unused_imports)]
        use super::*;

        /// Work per element in vector-instruction units, as a node of the call
        /// graph: the runtime's hint for when parallelism pays.
        pub const COST: #rt::Cost = #rt::Cost::new(
            concat!(module_path!(), "::", #name_str),
            #own_cost,
            &[#(&#cost_callees::COST),*],
        );

        /// The descriptor: variants, declared accuracy, cost.
        // SAFETY: `VARIANTS` holds this kernel's generated loops, which read
        // exactly the inputs and scalars named here, in this order.
        pub static KERNEL: #rt::Kernel = unsafe {
            #rt::Kernel::new(
                #name_str,
                &[#(#stream_strs),*],
                &[#(#scalar_strs),*],
                #max_ulp,
                COST.total(),
                VARIANTS,
                #rt::Wgsl {
                    function: #wgsl_function,
                    prelude: #wgsl_prelude,
                    entry: #wgsl_entry,
                    calls: &[#(&#gpu_callees::KERNEL),*],
                },
            )
        };

        #variants

        #[doc = #in_place_doc]
        pub fn in_place #in_place_generics(#(#in_place_params),*) -> #result {
            #rt::run_elements_in_place(
                &KERNEL,
                #rt::Element::target(#first),
                &[#(#rt::Element::source(#others)),*],
                &[#(#scalars),*],
            )
        }

        #[doc = #with_isa_doc]
        pub fn with_isa #generics(#isa: #rt::Isa, #(#slice_params,)* #out: &mut [#out_ty]) -> #result {
            #rt::run_elements_with_isa(
                &KERNEL,
                #isa,
                &[#(#rt::Element::source(#streams)),*],
                &[#(#scalars),*],
                #rt::Element::target(#out),
            )
        }

        #[doc = #scalar_doc]
        #[inline]
        pub fn scalar(#(#scalar_params),*) -> f32 {
            scalar::eval(#(#all_names),*)
        }
    };
    Expansion {
        function,
        module_head,
        module_items,
        targets: modules,
    }
}

/// What a rejected kernel's callers see: the slice function, `in_place` and
/// `scalar` with the signatures the kernel would have had, so that one mistake
/// in a kernel gives one error, not one more per call. Their bodies never run:
/// the `compile_error!` beside them stops the build.
pub fn stub(item: TokenStream) -> TokenStream {
    let Ok(f) = syn::parse2::<syn::ItemFn>(item) else {
        return quote!();
    };
    let (name, vis) = (&f.sig.ident, &f.vis);
    let mut slices = Vec::new();
    let mut scalars = Vec::new();
    for arg in &f.sig.inputs {
        let syn::FnArg::Typed(pt) = arg else { continue };
        let syn::Pat::Ident(pi) = &*pt.pat else { continue };
        let p = &pi.ident;
        let scalar = pt.attrs.iter().any(|a| a.path().is_ident("scalar"));
        slices.push(if scalar {
            quote!(#p: f32)
        } else {
            quote!(#p: &[impl Sized])
        });
        scalars.push(quote!(#p: f32));
    }
    let rt = quote!(::simdwise_runtime);
    let (first, rest) = match slices.split_first() {
        Some((_, rest)) => (scalars.first().map(|_| quote!(io: &mut [impl Sized])), rest.to_vec()),
        None => (None, Vec::new()),
    };
    quote! {
        #[allow(unused_variables, clippy::all)]
        #vis fn #name(#(#slices,)* out: &mut [impl Sized]) -> ::core::result::Result<(), #rt::KernelError> {
            ::core::unreachable!("a kernel that failed to compile")
        }
        #[allow(unused_variables, dead_code, clippy::all)]
        #vis mod #name {
            pub fn in_place(#first #(, #rest)*) -> ::core::result::Result<(), #rt::KernelError> {
                ::core::unreachable!("a kernel that failed to compile")
            }
            pub fn scalar(#(#scalars),*) -> f32 {
                ::core::unreachable!("a kernel that failed to compile")
            }
        }
    }
}

/// An f64 helper: a module with its cost and the per-target `eval`s, which
/// kernels inline; no slice API, descriptor or shader.
fn helper(k: &Kernel, targets: Vec<(&'static str, TokenStream)>) -> Expansion {
    let (name, vis, docs) = (&k.name, &k.vis, &k.docs);
    let own_cost = k.own_cost();
    let name_str = name.to_string();
    let cost_callees = k.cost_callees();
    let rt = quote!(::simdwise_runtime);
    Expansion {
        function: quote!(),
        module_head: quote! {
            #(#docs)*
            #vis mod #name
        },
        module_items: quote! {
            #[allow(unused_imports)]
            use super::*;

            /// Work per element in vector-instruction units, as a node of the call graph.
            pub const COST: #rt::Cost = #rt::Cost::new(
                concat!(module_path!(), "::", #name_str),
                #own_cost,
                &[#(&#cost_callees::COST),*],
            );
        },
        targets,
    }
}

/// One `VARIANTS` table per architecture, holding the targets that exist there;
/// elsewhere only the portable variant.
fn variant_tables(targets: &[Box<dyn lower::Target>]) -> TokenStream {
    let rt = quote!(::simdwise_runtime);
    let mut arches: Vec<(String, TokenStream, Vec<TokenStream>)> = Vec::new();
    for t in targets.iter().filter(|t| t.features().is_some()) {
        let arch = t.arch();
        let module = format_ident!("{}", t.name());
        let isa = t.isa();
        let mut entry = quote!(.with(#rt::Isa::#isa, #module::run));
        if t.streaming().is_some() {
            entry.extend(quote!(.with_streaming(#rt::Isa::#isa, #module::run_stream)));
        }
        for format in t.half_formats() {
            let (variant, run) = (format.variant(), format_ident!("run_{}", format.name()));
            entry.extend(quote!(.with_half(#rt::Isa::#isa, #rt::Format::#variant, #module::#run)));
        }
        if let Some(e) = t.half_extension() {
            let (variant, run) = (e.format.variant(), format_ident!("run_{}_native", e.format.name()));
            entry.extend(quote!(.with_half_native(#rt::Isa::#isa, #rt::Format::#variant, #module::#run)));
        }
        match arches.iter_mut().find(|(key, ..)| *key == arch.to_string()) {
            Some((_, _, entries)) => entries.push(entry),
            None => arches.push((arch.to_string(), arch, vec![entry])),
        }
    }
    let tables = arches.iter().map(|(_, arch, entries)| {
        quote! {
            #[cfg(#arch)]
            // SAFETY: each entry is this kernel's generated loop for the ISA it
            // is filed under, compiled with exactly that ISA's features.
            const VARIANTS: #rt::Variants = unsafe { #rt::Variants::new(scalar::run) #(#entries)* };
        }
    });
    let predicates = arches.iter().map(|(_, arch, _)| arch);
    quote! {
        #(#tables)*
        #[cfg(not(any(#(#predicates),*)))]
        // SAFETY: the portable loop of this kernel, which needs no CPU feature.
        const VARIANTS: #rt::Variants = unsafe { #rt::Variants::new(scalar::run) };
    }
}
