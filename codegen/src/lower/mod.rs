//! Lowering: one ISA-neutral pass over the IR, parameterised by a [`Target`], a
//! thin table of per-target operations. A new target is one file implementing
//! the trait; the loop structure, unrolling, tail handling and kernel-call
//! fusion are written once, here.
//!
//! Every target module of a kernel holds two functions:
//! - `eval`: the kernel on one vector, `#[inline(always)]`, also what a calling
//!   kernel inlines (fusion: `gelu` reads memory once, not once per callee);
//! - `run`: the slice loop, several vectors per iteration, then the tail through
//!   the same `eval`, so an element's result never depends on where it sits
//!   (`run_from` is the loop itself; on AVX-512 `run` first aligns the output).

pub mod avx2;
pub mod avx512;
pub mod neon;
pub mod scalar;
pub mod sse2;
pub mod wgsl;
mod x86;

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};

use crate::ir::{BinOp, CallTarget, CmpOp, Kernel, MaskOp, Node, ParamKind, Ty, UnOp, ValueId};

/// The per-target operation table. Operands are local variable names; each
/// method returns an expression.
pub trait Target {
    /// Module name of the variant and `Isa` variant name, e.g. `avx2` / `Avx2`.
    fn name(&self) -> &'static str;
    fn isa(&self) -> Ident;
    /// `cfg` predicate of the architectures where the target exists.
    fn arch(&self) -> TokenStream;
    /// Items the generated module needs in scope (intrinsics).
    fn prelude(&self) -> TokenStream;
    /// Features for `#[target_feature(enable = ..)]`; `None` for portable code.
    fn features(&self) -> Option<&'static str>;
    fn lanes(&self) -> usize;
    /// Whether `fma` is fused (one rounding).
    fn has_fma(&self) -> bool;
    /// Vectors per main-loop iteration.
    fn unroll(&self) -> usize;
    fn vector(&self) -> TokenStream;
    fn splat(&self, value: TokenStream) -> TokenStream;
    fn load(&self, ptr: TokenStream) -> TokenStream;
    fn store(&self, ptr: TokenStream, value: TokenStream) -> TokenStream;
    /// Non-temporal stores, where the ISA has them.
    fn streaming(&self) -> Option<&dyn StreamingStores> {
        None
    }
    /// Masked memory access for the tail, where the ISA has it.
    fn masked(&self) -> Option<&dyn MaskedTail> {
        None
    }
    /// A hint to bring the cache line at `ptr` (any pointer type) into L1,
    /// where the ISA has one; it never faults, whatever the address.
    fn prefetch(&self, _ptr: TokenStream) -> Option<TokenStream> {
        None
    }
    /// The half formats whose loads and stores the runtime has in registers
    /// for this ISA (`simdwise_runtime::lanes::<name>`).
    fn half_formats(&self) -> &'static [HalfFormat] {
        &[]
    }
    /// An ISA extension with a conversion of its own, for a second loop that
    /// the runtime runs where the CPU has the extension.
    fn half_extension(&self) -> Option<HalfExtension> {
        None
    }
    fn unary(&self, op: UnOp, a: &Ident) -> TokenStream;
    fn binary(&self, op: BinOp, a: &Ident, b: &Ident) -> TokenStream;
    /// `a * b + c`, fused where the target has FMA.
    fn fma(&self, a: &Ident, b: &Ident, c: &Ident) -> TokenStream;
    fn cmp(&self, op: CmpOp, a: &Ident, b: &Ident) -> TokenStream;
    fn is_nan(&self, a: &Ident) -> TokenStream;
    fn mask_op(&self, op: MaskOp, a: &Ident, b: &Ident) -> TokenStream;
    fn not(&self, a: &Ident) -> TokenStream;
    fn select(&self, mask: &Ident, if_true: &Ident, if_false: &Ident) -> TokenStream;
    /// Whether any lane of the mask is set, as a `bool`.
    fn any(&self, mask: &Ident) -> TokenStream;
    /// f64 lanes: how many vectors of them hold one vector's lanes (2; the
    /// scalar target holds one `f64`). A value is a tuple of that many parts.
    fn wide_parts(&self) -> usize {
        2
    }
    /// The type of one part.
    fn wide_vector(&self) -> TokenStream;
    /// An `f64` literal in every lane of one part.
    fn wide_splat(&self, value: TokenStream) -> TokenStream;
    /// A vector's lanes as f64 (exact), as the tuple of parts.
    fn widen(&self, a: &Ident) -> TokenStream;
    /// The tuple of parts back to one vector, each lane rounded once.
    fn narrow(&self, a: &Ident) -> TokenStream;
    /// `Neg`, `Abs`, `Round` or `Pow2i` (for `k` in `[-1022, 1023]`) on one part.
    fn wide_unary(&self, op: UnOp, a: TokenStream) -> TokenStream;
    /// `Add`, `Sub`, `Mul` or `Div` on one part.
    fn wide_binary(&self, op: BinOp, a: TokenStream, b: TokenStream) -> TokenStream;
    /// `a * b + c` on one part, fused where the target has FMA.
    fn wide_fma(&self, a: TokenStream, b: TokenStream, c: TokenStream) -> TokenStream;
    /// `x * 2^floor(k)` rounded once, overflow and subnormal results
    /// included, where the target has one instruction for it (which floors
    /// `k` itself, so `floor(y)` is passed as `y`). It replaces `x * pow2i(k)`
    /// and is the fast path of a native `ldexp`.
    fn scale(&self, _x: &Ident, _k: &Ident) -> Option<TokenStream> {
        None
    }
    /// `ldexp(x, k)` from `scale`, where the target has it; `None` uses the
    /// generic expansion (`builtins::ldexp_generic`). `fast` may read the
    /// `normal` mask by that name.
    fn ldexp(&self, _x: &Ident, _k: &Ident, _normal: &Ident) -> Option<NativeLdexp> {
        None
    }
    /// `table[trunc(i)]` per lane (modulo its length when that is a power of
    /// two; see `Node::Table`). This default goes through memory, one lane at
    /// a time; targets with a vector permute or gather override it.
    fn table(&self, i: &Ident, values: &[f32]) -> TokenStream {
        let n = self.lanes();
        let (lanes, lane) = (local("lanes"), local("lane"));
        let store = self.store(quote!(#lanes.as_mut_ptr()), quote!(#i));
        let load = self.load(quote!(#lanes.as_ptr()));
        let table = table_const(values);
        let entry = table_entry(quote!(*#lane), values.len());
        quote!({
            #table
            let mut #lanes = [0f32; #n];
            // SAFETY: `lanes` holds exactly one vector.
            #store;
            for #lane in #lanes.iter_mut() {
                *#lane = #entry;
            }
            // SAFETY: as for the store above.
            #load
        })
    }
}

/// The entries as literals, padded to `lanes`: repeated when their count is a
/// power of two (so a permute reading the low index bits takes the index
/// modulo the count), otherwise with the last one.
pub fn padded(values: &[f32], lanes: usize) -> Vec<TokenStream> {
    let n = values.len();
    (0..lanes)
        .map(|l| f32_literal(values[if n.is_power_of_two() { l % n } else { l.min(n - 1) }]))
        .collect()
}

/// `TABLE[trunc(i)]` for one `f32` lane `i`, never outside the table: modulo a
/// power-of-two length (`as i32` truncates; two's complement bits give the
/// modulo), otherwise clamped (`as usize` saturates, NaN to 0).
pub fn table_entry(i: TokenStream, len: usize) -> TokenStream {
    if len.is_power_of_two() {
        let mask = len - 1;
        quote!(TABLE[(#i as i32 as usize) & #mask])
    } else {
        quote!(TABLE[(#i as usize).min(TABLE.len() - 1)])
    }
}

/// `const TABLE: [f32; N]`, the entries of a `table(i, [..])` call (an item, so
/// it cannot capture the index, which is always a local value).
pub fn table_const(values: &[f32]) -> TokenStream {
    let n = values.len();
    let entries = values.iter().map(|&v| f32_literal(v));
    quote!(const TABLE: [f32; #n] = [#(#entries),*];)
}

/// Non-temporal (cache-bypassing) stores.
pub trait StreamingStores {
    /// A store of a full vector to a 64-byte aligned address.
    fn store(&self, ptr: TokenStream, value: TokenStream) -> TokenStream;
    /// The fence that orders such stores before later reads.
    fn fence(&self) -> TokenStream;
}

/// Masked loads and stores of the first `rest` lanes (AVX-512).
pub trait MaskedTail {
    fn mask(&self, rest: &Ident) -> TokenStream;
    /// The lanes under `mask` from `ptr`, the others a copy of `*ptr` (see `tail`).
    fn load(&self, mask: &Ident, ptr: TokenStream) -> TokenStream;
    fn store(&self, ptr: TokenStream, mask: &Ident, value: TokenStream) -> TokenStream;
}

/// A half-precision storage format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HalfFormat {
    F16,
    Bf16,
}

impl HalfFormat {
    pub const ALL: [HalfFormat; 2] = [HalfFormat::F16, HalfFormat::Bf16];

    /// The name in generated items (`run_bf16`).
    pub fn name(self) -> &'static str {
        match self {
            HalfFormat::F16 => "f16",
            HalfFormat::Bf16 => "bf16",
        }
    }

    /// Whether the unrolled loop converts this format two vectors at a time
    /// (`load_bf16x2`, `store_bf16x2`): bf16 widens by a shift or a mask of
    /// whole registers, and its narrowing merges two vectors' high halves in
    /// one instruction; f16's conversions take one vector each anyway.
    pub fn paired(self) -> bool {
        self == HalfFormat::Bf16
    }

    /// The runtime's `Format` variant.
    pub fn variant(self) -> Ident {
        format_ident!("{}", if self == HalfFormat::F16 { "F16" } else { "Bf16" })
    }
}

/// A half-precision loop compiled with an ISA extension: its format, the
/// extra target features, and its `simdwise_runtime::lanes` module.
pub struct HalfExtension {
    pub format: HalfFormat,
    pub features: &'static str,
    pub module: &'static str,
}

/// The targets every kernel is generated for, in ascending order of preference.
pub fn targets() -> Vec<Box<dyn Target>> {
    vec![
        Box::new(scalar::Scalar),
        Box::new(sse2::Sse2),
        Box::new(avx2::Avx2),
        Box::new(avx512::Avx512),
        Box::new(neon::Neon),
    ]
}

/// Internal names use mixed-site hygiene so they can never capture or shadow a
/// parameter name chosen by the kernel's author.
pub(crate) fn local(name: &str) -> Ident {
    Ident::new(name, Span::mixed_site())
}

fn value(id: ValueId) -> Ident {
    local(&format!("v{id}"))
}

pub fn f64_literal(value: f64) -> TokenStream {
    signed(value.is_sign_negative(), Literal::f64_suffixed(value.abs()))
}

/// A literal of the magnitude, negated where the value's sign bit is set
/// (tokens have no negative literals; `-0.0` keeps its sign).
fn signed(negative: bool, magnitude: Literal) -> TokenStream {
    if negative {
        quote!(-#magnitude)
    } else {
        quote!(#magnitude)
    }
}

/// `2^52 + 1023`: adding it to an integral `k` in `[-1022, 1023]` leaves
/// `k + 1023` in the low mantissa bits, which a shift by 52 moves into the
/// exponent field: `2^k` in two instructions on every target.
pub const POW2I_F64_BIAS: f64 = 4503599627371519.0;

pub fn f32_literal(value: f32) -> TokenStream {
    signed(value.is_sign_negative(), Literal::f32_suffixed(value.abs()))
}

/// The generated module of one target: `eval` and `run`.
pub fn target_module(k: &Kernel, t: &dyn Target) -> TokenStream {
    let name = format_ident!("{}", t.name());
    let arch = t.arch();
    let prelude = t.prelude();
    let eval = eval_fn(k, t);
    // An f64 helper is only ever inlined into other kernels.
    let (run, run_stream, run_half) = if k.wide {
        (quote!(), quote!(), quote!())
    } else {
        (run_fn(k, t), run_stream_fn(k, t), run_half_fns(k, t))
    };
    quote! {
        #[cfg(#arch)]
        #[doc(hidden)]
        // Constants are the kernel author's literals, e.g. log2(e) to f32 precision.
        #[allow(clippy::approx_constant, clippy::excessive_precision)]
        pub mod #name {
            #[allow(unused_imports)]
            use super::*;
            #prelude
            #eval
            #run
            #run_stream
            #run_half
        }
    }
}

/// A native `ldexp`: the lanes `scale` computes (a mask, leaving out at least
/// those whose result is subnormal, where the instruction would be slow, for
/// `x` near 1, as every `ldexp` of the kernels here has it; the exact path
/// computes them), their result, and whether some lane is left out.
pub struct NativeLdexp {
    pub normal: TokenStream,
    pub fast: TokenStream,
    pub any_left_out: TokenStream,
}

/// Whether the target lowers `ldexp` to an instruction of its own.
fn native_ldexp(t: &dyn Target) -> bool {
    let name = format_ident!("x");
    t.ldexp(&name, &name, &name).is_some()
}

/// Whether the target's code is plain Rust (no intrinsics, no `unsafe`).
fn is_portable(t: &dyn Target) -> bool {
    t.features().is_none()
}

fn eval_fn(k: &Kernel, t: &dyn Target) -> TokenStream {
    let vector = if k.wide {
        let parts = vec![t.wide_vector(); t.wide_parts()];
        quote!((#(#parts,)*))
    } else {
        t.vector()
    };
    let params = k.params.iter().map(|p| {
        let name = &p.name;
        quote!(#name: #vector)
    });
    let stmts = block(k, t, k.result, &vec![false; k.graph.nodes.len()]);
    let result = operand(k, k.result);
    if is_portable(t) {
        quote! {
            #[inline(always)]
            pub fn eval(#(#params),*) -> #vector {
                #(#stmts)*
                #result
            }
        }
    } else {
        // SAFETY: `eval` is only reached from `run` of the same target (or of a
        // kernel inlining it), whose `#[target_feature]` the runtime checked
        // against the CPU before the call; it touches no memory.
        quote! {
            #[inline(always)]
            pub unsafe fn eval(#(#params),*) -> #vector {
                unsafe {
                    #(#stmts)*
                    #result
                }
            }
        }
    }
}

/// The statements that compute `root` from the values `in_scope`, in
/// definition order. A `Rare` node becomes a branch: its rare operand, and
/// whatever only that needs, is computed only when some lane asks for it.
fn block(k: &Kernel, t: &dyn Target, root: ValueId, in_scope: &[bool]) -> Vec<TokenStream> {
    let mut scope = in_scope.to_vec();
    let mut stmts = Vec::new();
    for id in k.needed(root, in_scope, native_ldexp(t), t.has_fma()) {
        let node = &k.graph.nodes[id];
        let v = value(id);
        match node {
            Node::Param(_) | Node::WithF64(..) => {}
            Node::WithFma(fused, otherwise) => {
                let side = operand(k, if t.has_fma() { *fused } else { *otherwise });
                stmts.push(quote!(let #v = #side;));
            }
            Node::Rare(cond, rare, common) => {
                let inner = block(k, t, *rare, &scope);
                let (cond, rare, common) = (operand(k, *cond), operand(k, *rare), operand(k, *common));
                let any = t.any(&cond);
                let select = t.select(&cond, &rare, &common);
                stmts.push(quote!(let #v = if #any { #(#inner)* #select } else { #common };));
            }
            Node::Ldexp(x, k_, exact, generic) => {
                let mask = format_ident!("{v}_normal");
                match t.ldexp(&operand(k, *x), &operand(k, k.native_scale(*k_)), &mask) {
                    // As for `Rare`: the exact path only when some lane needs it.
                    Some(NativeLdexp {
                        normal,
                        fast,
                        any_left_out,
                    }) => {
                        let inner = block(k, t, *exact, &scope);
                        let value = format_ident!("{v}_fast");
                        let select = t.select(&mask, &value, &operand(k, *exact));
                        stmts.push(quote! {
                            let #mask = #normal;
                            let #value = #fast;
                            let #v = if #any_left_out { #(#inner)* #select } else { #value };
                        });
                    }
                    None => {
                        let generic = operand(k, *generic);
                        stmts.push(quote!(let #v = #generic;));
                    }
                }
            }
            _ if k.graph.ty(id) == Ty::F64 => {
                let expr = wide_expr(k, t, node);
                stmts.push(quote!(let #v = #expr;));
            }
            _ => {
                let expr = node_expr(k, t, node);
                stmts.push(quote!(let #v = #expr;));
            }
        }
        scope[id] = true;
    }
    stmts
}

/// A value as an operand: parameters by name, `with_f64` by its wide value
/// (every target here has f64 lanes), everything else by `v{id}`.
fn operand(k: &Kernel, id: ValueId) -> Ident {
    match k.graph.nodes[id] {
        Node::Param(i) => k.params[i].name.clone(),
        Node::WithF64(wide, _) => operand(k, wide),
        _ => value(id),
    }
}

/// An `f64` value: a tuple of parts, each computed by the target's `wide_*`.
fn wide_expr(k: &Kernel, t: &dyn Target, node: &Node) -> TokenStream {
    let part = |id: &ValueId, i: usize| {
        let (v, i) = (operand(k, *id), syn::Index::from(i));
        quote!(#v.#i)
    };
    let each = |f: &dyn Fn(usize) -> TokenStream| {
        let parts = (0..t.wide_parts()).map(f);
        quote!((#(#parts,)*))
    };
    match node {
        Node::Const64(bits) => each(&|_| t.wide_splat(f64_literal(f64::from_bits(*bits)))),
        Node::Widen(a) => t.widen(&operand(k, *a)),
        Node::Unary(op, a) => each(&|i| t.wide_unary(*op, part(a, i))),
        Node::Binary(op, a, b) => each(&|i| t.wide_binary(*op, part(a, i), part(b, i))),
        Node::Fma(a, b, c) => each(&|i| t.wide_fma(part(a, i), part(b, i), part(c, i))),
        Node::Call(callee, args) => call(k, t, callee, args),
        other => unreachable!("the parser gives no f64 value to {other:?}"),
    }
}

fn node_expr(k: &Kernel, t: &dyn Target, node: &Node) -> TokenStream {
    let o = |id: &ValueId| operand(k, *id);
    match node {
        Node::Param(_) => unreachable!("parameters are referenced by name"),
        Node::Const(bits) => t.splat(f32_literal(f32::from_bits(*bits))),
        Node::Unary(op, a) => t.unary(*op, &o(a)),
        Node::Binary(BinOp::Mul, a, b) if let Some(scaled) = scale(k, t, *a, *b) => scaled,
        Node::Binary(op, a, b) => t.binary(*op, &o(a), &o(b)),
        Node::Fma(a, b, c) => t.fma(&o(a), &o(b), &o(c)),
        Node::MulLo(a, b) => mul_lo(t, &o(a), &o(b)),
        Node::Cmp(op, a, b) => t.cmp(*op, &o(a), &o(b)),
        Node::IsNan(a) => t.is_nan(&o(a)),
        Node::MaskBin(op, a, b) => t.mask_op(*op, &o(a), &o(b)),
        Node::Not(a) => t.not(&o(a)),
        Node::Select(m, a, b) => t.select(&o(m), &o(a), &o(b)),
        Node::Rare(..) => unreachable!("a branch, emitted by `block`"),
        Node::Ldexp(..) => unreachable!("native or generic, chosen by `block`"),
        Node::Narrow(a) => t.narrow(&o(a)),
        Node::Const64(_) | Node::Widen(_) | Node::WithF64(..) | Node::WithFma(..) => {
            unreachable!("handled by `block`")
        }
        Node::Table(i, bits) => {
            let values: Vec<f32> = bits.iter().map(|&b| f32::from_bits(b)).collect();
            t.table(&o(i), &values)
        }
        Node::Call(callee, args) => call(k, t, callee, args),
    }
}

/// `a * pow2i(k)` (either way round) by the target's `scale`, where it has
/// one; `pow2i`, and a `floor` inside it, are then left for the compiler to
/// drop.
fn scale(k: &Kernel, t: &dyn Target, a: ValueId, b: ValueId) -> Option<TokenStream> {
    let pow2i = |id: ValueId| match k.graph.nodes[id] {
        Node::Unary(UnOp::Pow2i, e) => Some(k.native_scale(e)),
        _ => None,
    };
    let (x, e) = match (pow2i(b), pow2i(a)) {
        (Some(e), _) => (a, e),
        (None, Some(e)) => (b, e),
        (None, None) => return None,
    };
    t.scale(&operand(k, x), &operand(k, e))
}

/// A call to another kernel's (or f64 helper's) `eval` for the same target.
fn call(k: &Kernel, t: &dyn Target, callee: &CallTarget, args: &[ValueId]) -> TokenStream {
    let path = &callee.path;
    let target = format_ident!("{}", t.name());
    let args = args.iter().map(|&a| operand(k, a));
    quote!(#path::#target::eval(#(#args),*))
}

/// The exact low part of `a * b`, from target operations on mixed-site temporaries.
fn mul_lo(t: &dyn Target, a: &Ident, b: &Ident) -> TokenStream {
    let mut stmts = Vec::new();
    let mut next = 0;
    let mut emit = |expr: TokenStream| {
        let name = local(&format!("t{next}"));
        next += 1;
        stmts.push(quote!(let #name = #expr;));
        name
    };
    let p = emit(t.binary(BinOp::Mul, a, b));
    let result = if t.has_fma() {
        let minus_p = emit(t.unary(UnOp::Neg, &p));
        t.fma(a, b, &minus_p)
    } else {
        // Veltkamp: x = hi + lo with 12-bit halves, whose products are exact.
        let c = emit(t.splat(f32_literal(4097.0)));
        let mut split = |x: &Ident| {
            let scaled = emit(t.binary(BinOp::Mul, &c, x));
            let diff = emit(t.binary(BinOp::Sub, &scaled, x));
            let hi = emit(t.binary(BinOp::Sub, &scaled, &diff));
            let lo = emit(t.binary(BinOp::Sub, x, &hi));
            (hi, lo)
        };
        let (ahi, alo) = split(a);
        let (bhi, blo) = split(b);
        let hh = emit(t.binary(BinOp::Mul, &ahi, &bhi));
        let e = emit(t.binary(BinOp::Sub, &hh, &p));
        let hl = emit(t.binary(BinOp::Mul, &ahi, &blo));
        let e = emit(t.binary(BinOp::Add, &e, &hl));
        let lh = emit(t.binary(BinOp::Mul, &alo, &bhi));
        let e = emit(t.binary(BinOp::Add, &e, &lh));
        let ll = emit(t.binary(BinOp::Mul, &alo, &blo));
        t.binary(BinOp::Add, &e, &ll)
    };
    quote!({ #(#stmts)* #result })
}

/// What `run` and `run_stream` share: the setup (lengths, pointers, splatted
/// scalars), the unrolled main loop, and one vector step.
#[allow(clippy::type_complexity)]
fn loop_parts<'a>(
    k: &'a Kernel,
    t: &'a dyn Target,
    half: Option<(HalfFormat, &'a str)>,
) -> (
    TokenStream,
    TokenStream,
    impl Fn(bool) -> TokenStream + 'a,
    impl Fn(usize, TokenStream, bool) -> (TokenStream, TokenStream, TokenStream) + 'a,
) {
    let lanes = t.lanes();
    let unroll = t.unroll();
    let block = lanes * unroll;
    let len = local("len");
    let idx = local("idx");
    let dst = local("dst");

    let mut setup = Vec::new();
    let mut stream_ptrs = Vec::new();
    let mut scalar_names = Vec::new();
    let (mut stream_i, mut scalar_i) = (0usize, 0usize);
    for p in &k.params {
        match p.kind {
            ParamKind::Stream => {
                let ptr = local(&format!("ptr_{}", p.name));
                setup.push(quote!(let #ptr = args.inputs[#stream_i];));
                stream_ptrs.push(ptr);
                stream_i += 1;
            }
            ParamKind::Scalar => {
                let s = local(&format!("s_{}", p.name));
                let splat = t.splat(quote!(args.scalars[#scalar_i]));
                setup.push(quote!(let #s = #splat;));
                scalar_names.push(s);
                scalar_i += 1;
            }
        }
    }

    // Loads, one `eval` and a store for the vector at offset `at` of the block,
    // with the arguments in declaration order.
    let setup = quote! {
        let #len = args.len;
        let #dst = args.out;
        #(#setup)*
        let mut #idx = 0usize;
    };
    let tail = tail(k, t, &stream_ptrs, &scalar_names);
    let (ptrs, scalars) = (stream_ptrs, scalar_names);
    let step = move |suffix: usize, at: TokenStream, streaming: bool| {
        let mut loads = Vec::new();
        let mut args = Vec::new();
        let (mut si, mut ci) = (0, 0);
        for p in &k.params {
            match p.kind {
                ParamKind::Stream => {
                    let v = local(&format!("{}_{suffix}", p.name));
                    let ptr = &ptrs[si];
                    let load = match half {
                        Some((format, module)) => {
                            let load = half_fn(module, "load", format, "");
                            quote!(#load(#ptr.add(#at)))
                        }
                        None => t.load(quote!(#ptr.add(#at))),
                    };
                    loads.push(quote!(let #v = #load;));
                    args.push(v);
                    si += 1;
                }
                ParamKind::Scalar => {
                    args.push(scalars[ci].clone());
                    ci += 1;
                }
            }
        }
        let r = local(&format!("r_{suffix}"));
        let store = match (t.streaming(), half) {
            (_, Some((format, module))) => {
                let store = half_fn(module, "store", format, "");
                quote!(#store(#dst.add(#at), #r))
            }
            (Some(nt), None) if streaming => nt.store(quote!(#dst.add(#at)), quote!(#r)),
            _ => t.store(quote!(#dst.add(#at)), quote!(#r)),
        };
        (quote!(#(#loads)*), quote!(let #r = eval(#(#args),*);), quote!(#store;))
    };
    // The unrolled main loop: several vectors per iteration, each input's
    // lines prefetched `PREFETCH_AHEAD` values ahead. A long body (gelu's)
    // leaves the hardware prefetcher behind: on 4M f32 values on one thread,
    // gelu took 1.14 ns/element without and 0.89 with (0.83 in cache).
    const PREFETCH_AHEAD: usize = 1024;
    let bytes = if half.is_some() { 2 } else { 4 };
    let prefetches: Vec<_> = k
        .streams()
        .flat_map(|p| {
            let ptr = local(&format!("ptr_{}", p.name));
            let lines = (block * bytes).div_ceil(64);
            (0..lines).map(move |line| (ptr.clone(), PREFETCH_AHEAD + line * 64 / bytes))
        })
        .filter_map(|(ptr, ahead)| t.prefetch(quote!(#ptr.wrapping_add(#idx + #ahead))))
        .collect();
    let unrolled_step = step.clone();
    let dst = local("dst");
    let unrolled = move |streaming: bool| {
        let at = |off: usize| if off == 0 { quote!(#idx) } else { quote!(#idx + #off) };
        let steps: Vec<_> = (0..unroll)
            .map(|u| unrolled_step(u, at(u * lanes), streaming))
            .collect();
        let evals = steps.iter().map(|s| &s.1);
        let (loads, stores): (Vec<_>, Vec<_>) = match half.filter(|(f, _)| f.paired() && unroll.is_multiple_of(2)) {
            // Two vectors per load and store, in the lane order the
            // runtime's `x2` functions choose: `eval` is element-wise.
            Some((format, module)) => {
                let (load, store) = (
                    half_fn(module, "load", format, "x2"),
                    half_fn(module, "store", format, "x2"),
                );
                (0..unroll / 2)
                    .map(|pair| {
                        let (a, b, at) = (2 * pair, 2 * pair + 1, at(2 * pair * lanes));
                        let loads = k.streams().map(|p| {
                            let name = &p.name;
                            let (va, vb) = (local(&format!("{name}_{a}")), local(&format!("{name}_{b}")));
                            let ptr = local(&format!("ptr_{name}"));
                            quote!(let (#va, #vb) = #load(#ptr.add(#at));)
                        });
                        let (ra, rb) = (local(&format!("r_{a}")), local(&format!("r_{b}")));
                        (quote!(#(#loads)*), quote!(#store(#dst.add(#at), #ra, #rb);))
                    })
                    .unzip()
            }
            None => steps.iter().map(|s| (s.0.clone(), s.2.clone())).unzip(),
        };
        quote! {
            while #idx + #block <= #len {
                #(#prefetches;)*
                #(#loads)*
                #(#evals)*
                #(#stores)*
                #idx += #block;
            }
        }
    };
    (setup, tail, unrolled, step)
}

fn run_fn(k: &Kernel, t: &dyn Target) -> TokenStream {
    let (lanes, unroll) = (t.lanes(), t.unroll());
    let (len, idx) = (local("len"), local("idx"));
    let (setup, tail, unrolled, step) = loop_parts(k, t, None);
    let mut body = Vec::new();
    if unroll > 1 {
        body.push(unrolled(false));
    }
    let (load, eval, store) = step(0, quote!(#idx), false);
    let fits = if lanes == 1 {
        quote!(#idx < #len)
    } else {
        quote!(#idx + #lanes <= #len)
    };
    body.push(quote! {
        while #fits {
            #load
            #eval
            #store
            #idx += #lanes;
        }
    });
    if lanes > 1 {
        body.push(tail);
    }
    if is_portable(t) {
        quote! {
            /// # Safety
            /// `args` holds pointers valid for `args.len` elements: inputs readable,
            /// `out` writable (it may equal an input: in-place).
            pub unsafe fn run(args: &::simdwise_runtime::Args) {
                // SAFETY: the caller guarantees every pointer covers `len` elements
                // and the loop never reads or writes at or past `len`.
                unsafe {
                    #setup
                    #(#body)*
                }
            }
        }
    } else {
        let features = t.features().unwrap_or_default();
        let body_fn = quote! {
            /// # Safety
            /// `args` holds pointers valid for `args.len` elements: inputs readable,
            /// `out` writable (it may equal an input: in-place); the CPU has the
            /// features this function is compiled for.
            #[target_feature(enable = #features)]
            pub unsafe fn run_from(args: &::simdwise_runtime::Args) {
                // SAFETY: the caller guarantees every pointer covers `len` elements
                // and that the CPU supports the enabled features; full vectors are
                // only loaded and stored below `len`, and the tail is masked or
                // goes through a stack buffer (its filler is the element at
                // `idx < len`).
                unsafe {
                    #setup
                    #(#body)*
                }
            }
        };
        if t.masked().is_none() {
            return quote! {
                #body_fn
                pub use run_from as run;
            };
        }
        quote! {
            #body_fn
            /// # Safety
            /// As for [`run_from`].
            #[target_feature(enable = #features)]
            pub unsafe fn run(args: &::simdwise_runtime::Args) {
                // A full-width store that straddles two cache lines costs about
                // twice one that does not, and every store of a 16-byte-aligned
                // buffer (what the allocator gives) does: a masked head first
                // brings the output to a 64-byte boundary.
                // SAFETY: both sub-ranges lie within `args.len`.
                unsafe {
                    let head = (64 - (args.out as usize) % 64) % 64 / 4;
                    if head == 0 || args.len < 64 {
                        run_from(args);
                    } else {
                        run_from(&args.range(0, head));
                        run_from(&args.range(head, args.len - head));
                    }
                }
            }
        }
    }
}

/// `run` with non-temporal stores, for outputs too large to stay in cache:
/// they skip the read-for-ownership, so the output costs one memory stream
/// instead of two. Elements before the output is 64-byte aligned, and the
/// tail, go through `run`; the fence orders the streamed stores before any
/// later read of the output, by this thread or the one that waits for it.
fn run_stream_fn(k: &Kernel, t: &dyn Target) -> TokenStream {
    let Some(nt) = t.streaming() else {
        return quote!();
    };
    let fence = nt.fence();
    let (len, idx) = (local("len"), local("idx"));
    let (setup, _, unrolled, _) = loop_parts(k, t, None);
    let main = unrolled(true);
    let features = t.features().unwrap_or_default();
    quote! {
        /// # Safety
        /// As for [`run`].
        #[target_feature(enable = #features)]
        pub unsafe fn run_stream(args: &::simdwise_runtime::Args) {
            // SAFETY: as in `run`; every sub-range passed on lies within
            // `args.len`, and streamed stores only hit the 64-byte aligned part.
            unsafe {
                let head = ((64 - (args.out as usize) % 64) % 64 / 4).min(args.len);
                run(&args.range(0, head));
                let args = &args.range(head, args.len - head);
                #setup
                #main
                run(&args.range(#idx, #len - #idx));
                #fence;
            }
        }
    }
}

/// The runtime's load or store of `format` values from its `lanes::<module>`:
/// one vector, or two with `suffix` "x2".
fn half_fn(module: &str, op: &str, format: HalfFormat, suffix: &str) -> TokenStream {
    let (module, name) = (
        format_ident!("{module}"),
        format_ident!("{op}_{}{suffix}", format.name()),
    );
    quote!(::simdwise_runtime::lanes::#module::#name)
}

/// `run_f16` / `run_bf16`: the loop on half-precision inputs and output,
/// converting in registers (no pass over memory of its own). Whole vectors
/// only: the runtime hands it a multiple of the lanes and the rest to the
/// tiled path. Where the ISA has an extension with its own conversion
/// (`half_extension`), a second loop compiled with it (`run_bf16_native`).
fn run_half_fns(k: &Kernel, t: &dyn Target) -> TokenStream {
    let base = t.features().unwrap_or_default();
    let loops = t
        .half_formats()
        .iter()
        .map(|&format| (format, format.name().to_owned(), t.name(), base.to_owned()))
        .chain(t.half_extension().map(|e| {
            (
                e.format,
                format!("{}_native", e.format.name()),
                e.module,
                format!("{base},{}", e.features),
            )
        }));
    let lanes = t.lanes();
    let (len, idx) = (local("len"), local("idx"));
    let fns = loops.map(|(format, suffix, module, features)| {
        let (setup, _, unrolled, step) = loop_parts(k, t, Some((format, module)));
        let main = unrolled(false);
        let (load, eval, store) = step(0, quote!(#idx), false);
        let name = format_ident!("run_{suffix}");
        let doc = format!(
            "The loop on {} inputs and output, whole vectors of {lanes} lanes.",
            format.name()
        );
        quote! {
            #[doc = #doc]
            ///
            /// # Safety
            /// `args` holds pointers valid for `args.len` values, a multiple of
            /// the lanes: inputs readable, `out` writable (it may equal an
            /// input: in place); the CPU has the features this function is
            /// compiled for.
            #[target_feature(enable = #features)]
            pub unsafe fn #name(args: &::simdwise_runtime::HalfArgs) {
                // SAFETY: the caller guarantees the pointers cover `len`
                // values and the CPU's features; only whole vectors below
                // `len` are loaded and stored.
                unsafe {
                    #setup
                    #main
                    while #idx + #lanes <= #len {
                        #load
                        #eval
                        #store
                        #idx += #lanes;
                    }
                }
            }
        }
    });
    quote!(#(#fns)*)
}

/// The last `len % lanes` elements through the same `eval`: masked loads and
/// stores where the ISA has them, otherwise a padded stack buffer. The lanes
/// past the end repeat the tail's first element, a real input, so that a
/// `rare` branch runs only where some element needs it (zeros sent silu's
/// tail through its f64 path on every call).
fn tail(k: &Kernel, t: &dyn Target, stream_ptrs: &[Ident], scalars: &[Ident]) -> TokenStream {
    let (len, idx, dst, rest) = (local("len"), local("idx"), local("dst"), local("rest"));
    let lanes = t.lanes();
    let mut prep = Vec::new();
    let mut args = Vec::new();
    let (mut si, mut ci) = (0, 0);
    let mask = local("mask");
    let out = if let Some(m) = t.masked() {
        prep.push({
            let e = m.mask(&rest);
            quote!(let #mask = #e;)
        });
        for p in &k.params {
            match p.kind {
                ParamKind::Stream => {
                    let v = local(&format!("{}_tail", p.name));
                    let ptr = &stream_ptrs[si];
                    let load = m.load(&mask, quote!(#ptr.add(#idx)));
                    prep.push(quote!(let #v = #load;));
                    args.push(v);
                    si += 1;
                }
                ParamKind::Scalar => {
                    args.push(scalars[ci].clone());
                    ci += 1;
                }
            }
        }
        let store = m.store(quote!(#dst.add(#idx)), &mask, quote!(eval(#(#args),*)));
        quote!(#store;)
    } else {
        for p in &k.params {
            match p.kind {
                ParamKind::Stream => {
                    let buf = local(&format!("{}_buf", p.name));
                    let v = local(&format!("{}_tail", p.name));
                    let ptr = &stream_ptrs[si];
                    let load = t.load(quote!(#buf.as_ptr()));
                    prep.push(quote! {
                        let mut #buf = [*#ptr.add(#idx); #lanes];
                        ::core::ptr::copy_nonoverlapping(#ptr.add(#idx), #buf.as_mut_ptr(), #rest);
                        let #v = #load;
                    });
                    args.push(v);
                    si += 1;
                }
                ParamKind::Scalar => {
                    args.push(scalars[ci].clone());
                    ci += 1;
                }
            }
        }
        let out_buf = local("out_buf");
        let store = t.store(quote!(#out_buf.as_mut_ptr()), quote!(eval(#(#args),*)));
        quote! {
            let mut #out_buf = [0.0f32; #lanes];
            #store;
            ::core::ptr::copy_nonoverlapping(#out_buf.as_ptr(), #dst.add(#idx), #rest);
        }
    };
    quote! {
        if #idx < #len {
            let #rest = #len - #idx;
            #(#prep)*
            #out
        }
    }
}
