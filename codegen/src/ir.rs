//! The typed IR a kernel body is parsed into: a DAG of values in SSA form, built
//! with hash-consing so that repeated constants and subexpressions exist once.
//!
//! The node set is deliberately small. Builtins with several possible lowerings
//! (`max` with NaN propagation, `clamp`, `poly`, `ldexp`) are expanded into these
//! nodes by `builtins`, once, for every target; a target only has to implement
//! each node.

use std::collections::HashMap;

pub type ValueId = usize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    F32,
    /// Double precision, from `widen`: CPU targets hold a vector's lanes as
    /// f64 in two halves (one `f64` on the scalar target); WGSL has none.
    F64,
    /// The result of a comparison: all-ones/all-zeros lanes, or a k-mask on AVX-512.
    Mask,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnOp {
    Neg,
    Abs,
    Sqrt,
    /// `1/x` within 2^-14 relative for normal `x` with a normal `1/x`: the
    /// target's reciprocal estimate, refined by a Newton step where it is
    /// coarser (exact division on scalar and WGSL), so not bit-identical across
    /// targets. A kernel refines a quotient with its remainder.
    Recip,
    /// `1/sqrt(x)` within 2^-14 relative for positive normal `x`, as `Recip`:
    /// the target's estimate, refined where it is coarser.
    Rsqrt,
    Floor,
    Ceil,
    /// Round to nearest, ties to even.
    Round,
    Trunc,
    /// `2^k` for an integral `k` in `[-126, 127]` (`[-1022, 1023]` for an
    /// `f64` value), built from exponent bits.
    Pow2i,
    /// `floor(log2|x|)` for normal `x`, as `f32`. Other inputs give
    /// target-dependent values: the biased exponent field minus 127 from bit
    /// steps (-127 for zero and subnormals, 128 for inf and NaN), `vgetexpps`
    /// on AVX-512.
    Exponent,
    /// `|x|` scaled into `[1, 2)` by a power of two, for normal `x` (others:
    /// target-dependent): its exponent field replaced by 127, `vgetmantps`
    /// on AVX-512.
    Mantissa,
    /// The `f32` whose bit pattern is the integer value of `x` (integral, in
    /// `[0, 2^31)`): `int_bits(n)` is `n * 2^-149` for `n < 2^23`, computed
    /// without a floating-point operation that could produce a subnormal.
    IntBits,
    /// The bit pattern of `x` read as an `i32`, converted to `f32` (rounded to
    /// nearest): `bits(x) * 2^-21` is a float whose integer part counts quarter
    /// binades, an index into a table of per-interval coefficients.
    Bits,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    /// `if a < b { a } else { b }`: the x86 `minps` rule, NaN handling left to the IR.
    MinRaw,
    /// `if a > b { a } else { b }`: the x86 `maxps` rule.
    MaxRaw,
    /// Magnitude of the first operand, sign of the second.
    CopySign,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    /// Unordered not-equal: true when either side is NaN, like Rust's `!=`.
    Ne,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MaskOp {
    And,
    Or,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Node {
    Param(usize),
    /// Stored as bits so nodes can be hashed; `-0.0` and `0.0` stay distinct.
    Const(u32),
    /// An `f64` constant, as bits.
    Const64(u64),
    /// `f32` to `f64`, exact.
    Widen(ValueId),
    /// `f64` to `f32`, rounded once to nearest (subnormal results included).
    Narrow(ValueId),
    /// The first value on targets with f64 lanes (every CPU target), the
    /// second on those without (WGSL), which never see the first one's nodes.
    WithF64(ValueId, ValueId),
    /// The first value on targets with a fused multiply-add (AVX2, AVX-512,
    /// NEON), where `fma` rounds once, the second on the others (SSE2, scalar
    /// code, WGSL).
    WithFma(ValueId, ValueId),
    Unary(UnOp, ValueId),
    Binary(BinOp, ValueId, ValueId),
    Fma(ValueId, ValueId, ValueId),
    /// `a * b - round(a * b)`, exact: one `fma` where the target has it,
    /// Dekker's product on a Veltkamp split where it does not.
    MulLo(ValueId, ValueId),
    Cmp(CmpOp, ValueId, ValueId),
    IsNan(ValueId),
    MaskBin(MaskOp, ValueId, ValueId),
    Not(ValueId),
    Select(ValueId, ValueId, ValueId),
    /// `select(cond, rare, common)` where `cond` is expected to be false in
    /// every lane: vector targets compute `rare` (and whatever only it needs)
    /// in a branch taken only when some lane needs it.
    Rare(ValueId, ValueId, ValueId),
    /// An entry of a constant table (`f32` bits), at the index `trunc(i)`:
    /// modulo the length when it is a power of two (for |i| < 2^31), so that
    /// an index's low bits pick the entry; otherwise the index must be in
    /// range. Out of range, targets return some entry of the table and never
    /// read outside it.
    Table(ValueId, Vec<u32>),
    /// A call to another `#[kernel]`, inlined through its per-target `eval`.
    Call(CallTarget, Vec<ValueId>),
    /// `x * 2^k` rounded once (`ldexp(x, k)`): the fourth value computes it
    /// from other nodes, for every target; one with a native instruction
    /// (AVX-512's `vscalefps`) uses that instead, and the third value (the
    /// exact path, which never forms a subnormal by multiplying) in a branch
    /// for the lanes it leaves out (at least those whose result is
    /// subnormal): x86 takes a microcode assist for every instruction that
    /// rounds to a subnormal.
    Ldexp(ValueId, ValueId, ValueId, ValueId),
}

/// The path of a called kernel, kept as tokens so it can be hashed and re-emitted.
#[derive(Clone, Debug)]
pub struct CallTarget {
    pub path: syn::Path,
    key: String,
}

impl CallTarget {
    pub fn new(path: syn::Path) -> Self {
        let key = quote::quote!(#path).to_string();
        CallTarget { path, key }
    }
}

impl PartialEq for CallTarget {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl Eq for CallTarget {}
impl std::hash::Hash for CallTarget {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key.hash(state)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    /// An `f32` read element by element from an input slice.
    Stream,
    /// An `f32` constant over the whole call (`#[scalar]`).
    Scalar,
}

#[derive(Clone, Debug)]
pub struct Param {
    pub name: syn::Ident,
    pub kind: ParamKind,
}

/// A value graph under construction, with hash-consing.
#[derive(Default)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub types: Vec<Ty>,
    interned: HashMap<Node, ValueId>,
}

impl Graph {
    /// Adds `node` (or finds its twin). Operand types are the caller's to check.
    pub fn add(&mut self, node: Node) -> ValueId {
        if let Some(&id) = self.interned.get(&node) {
            return id;
        }
        let ty = match &node {
            Node::Cmp(..) | Node::IsNan(_) | Node::MaskBin(..) | Node::Not(_) => Ty::Mask,
            Node::Select(_, t, _) | Node::Rare(_, t, _) => self.types[*t],
            Node::Const64(_) | Node::Widen(_) => Ty::F64,
            // Arithmetic computes in its operands' precision (the parser checks they agree).
            Node::Unary(_, a) | Node::Binary(_, a, _) | Node::Fma(a, ..) => self.types[*a],
            // A call with `f64` arguments is to an f64 helper.
            Node::Call(_, args) => args.first().map_or(Ty::F32, |&a| self.types[a]),
            _ => Ty::F32,
        };
        let id = self.nodes.len();
        self.nodes.push(node.clone());
        self.types.push(ty);
        self.interned.insert(node, id);
        id
    }

    pub fn constant(&mut self, value: f32) -> ValueId {
        self.add(Node::Const(value.to_bits()))
    }

    pub fn constant64(&mut self, value: f64) -> ValueId {
        self.add(Node::Const64(value.to_bits()))
    }

    pub fn as_const(&self, id: ValueId) -> Option<f32> {
        match self.nodes[id] {
            Node::Const(bits) => Some(f32::from_bits(bits)),
            _ => None,
        }
    }

    pub fn ty(&self, id: ValueId) -> Ty {
        self.types[id]
    }
}

/// A parsed and checked kernel.
pub struct Kernel {
    pub name: syn::Ident,
    pub vis: syn::Visibility,
    /// `#[doc]` attributes of the definition, carried to the generated API.
    pub docs: Vec<syn::Attribute>,
    pub params: Vec<Param>,
    /// Declared accuracy against the correctly rounded result, in ULP.
    pub max_ulp: f32,
    pub graph: Graph,
    pub result: ValueId,
    /// An f64 helper (`-> f64`): only the per-target `eval`, for other kernels.
    pub wide: bool,
}

impl Kernel {
    pub fn streams(&self) -> impl Iterator<Item = &Param> {
        self.params.iter().filter(|p| p.kind == ParamKind::Stream)
    }

    pub fn scalars(&self) -> impl Iterator<Item = &Param> {
        self.params.iter().filter(|p| p.kind == ParamKind::Scalar)
    }

    /// Nodes the result needs on a target with (or without) f64 lanes, in
    /// definition (topological) order.
    pub fn live_nodes(&self, has_f64: bool) -> Vec<ValueId> {
        let mut live = vec![false; self.graph.nodes.len()];
        live[self.result] = true;
        for id in (0..self.graph.nodes.len()).rev() {
            if !live[id] {
                continue;
            }
            match self.graph.nodes[id] {
                Node::WithF64(wide, fallback) => live[if has_f64 { wide } else { fallback }] = true,
                // CPU targets differ in FMA: both sides are live there.
                Node::WithFma(_, otherwise) if !has_f64 => live[otherwise] = true,
                ref node => operands(node).into_iter().for_each(|o| live[o] = true),
            }
        }
        (0..live.len()).filter(|&id| live[id]).collect()
    }

    /// Own arithmetic work per element, in rough "vector instruction" units; called
    /// kernels add their own cost in generated code.
    /// The rare branches of `Rare` nodes are left out: they run only where
    /// some lane needs them.
    pub fn own_cost(&self) -> u32 {
        self.needed(self.result, &vec![false; self.graph.nodes.len()], false, true)
            .into_iter()
            .map(|id| match &self.graph.nodes[id] {
                Node::Param(_)
                | Node::Const(_)
                | Node::Const64(_)
                | Node::WithF64(..)
                | Node::Ldexp(..)
                | Node::Call(..) => 0,
                // The divider and square-root unit is not pipelined like the
                // FMA units (measured on AVX-512: one f32 division costs as
                // much as 24 other operations, an f64 one, per f32 lane, 3x that).
                Node::Binary(BinOp::Div, ..) | Node::Unary(UnOp::Sqrt, _) if self.graph.ty(id) == Ty::F64 => 72,
                Node::Binary(BinOp::Div, ..) | Node::Unary(UnOp::Sqrt, _) => 24,
                Node::Unary(
                    UnOp::Recip | UnOp::Rsqrt | UnOp::Pow2i | UnOp::Exponent | UnOp::Mantissa | UnOp::IntBits,
                    _,
                ) => 3,
                Node::MulLo(..) | Node::Table(..) | Node::Widen(_) | Node::Narrow(_) => 2,
                // Two vectors of f64 lanes per vector of f32 lanes.
                _ if self.graph.ty(id) == Ty::F64 => 2,
                _ => 1,
            })
            .sum()
    }

    /// Nodes `root` needs on a CPU target that are not `in_scope`, in
    /// definition order, not following the rare operand of a `Rare` node (its
    /// branch computes that), nor the generic expansion of `ldexp` on a target
    /// with a `native_ldexp`, nor the side of `with_fma` the target (`fma`:
    /// with FMA or not) does not take.
    pub fn needed(&self, root: ValueId, in_scope: &[bool], native_ldexp: bool, fma: bool) -> Vec<ValueId> {
        let mut needed = vec![false; self.graph.nodes.len()];
        let mut stack = vec![root];
        while let Some(id) = stack.pop() {
            if in_scope[id] || needed[id] {
                continue;
            }
            needed[id] = true;
            match &self.graph.nodes[id] {
                Node::Rare(cond, _, common) => stack.extend([*cond, *common]),
                Node::WithF64(wide, _) => stack.push(*wide),
                Node::WithFma(fused, otherwise) => stack.push(if fma { *fused } else { *otherwise }),
                Node::Ldexp(x, k, ..) if native_ldexp => stack.extend([*x, self.native_scale(*k)]),
                Node::Ldexp(.., generic) => stack.push(*generic),
                node => stack.extend(operands(node)),
            }
        }
        (0..needed.len()).filter(|&id| needed[id]).collect()
    }

    /// The scale a native `ldexp(x, k)` reads: the instruction floors it
    /// itself, so `k = floor(y)` is read as `y` and the floor is not computed.
    pub fn native_scale(&self, k: ValueId) -> ValueId {
        match self.graph.nodes[k] {
            Node::Unary(UnOp::Floor, y) => y,
            _ => k,
        }
    }

    /// Distinct called kernels on a target with (or without) f64 lanes, in first-use order.
    /// The kernels `own_cost` leaves to their own `COST`: those called on the
    /// common path of a target with f64 lanes and FMA (where speed matters),
    /// not in a rare branch.
    pub fn cost_callees(&self) -> Vec<&syn::Path> {
        self.calls(self.needed(self.result, &vec![false; self.graph.nodes.len()], false, true))
    }

    /// The kernels the shader calls (no f64 lanes there).
    pub fn gpu_callees(&self) -> Vec<&syn::Path> {
        self.calls(self.live_nodes(false))
    }

    /// The distinct kernels called by `nodes`, in order of first call.
    fn calls(&self, nodes: Vec<ValueId>) -> Vec<&syn::Path> {
        let mut seen: Vec<&CallTarget> = Vec::new();
        for id in nodes {
            if let Node::Call(target, _) = &self.graph.nodes[id]
                && !seen.contains(&target)
            {
                seen.push(target);
            }
        }
        seen.into_iter().map(|t| &t.path).collect()
    }
}

pub fn operands(node: &Node) -> Vec<ValueId> {
    match node {
        Node::Param(_) | Node::Const(_) | Node::Const64(_) => vec![],
        Node::Unary(_, a) | Node::IsNan(a) | Node::Not(a) | Node::Table(a, _) | Node::Widen(a) | Node::Narrow(a) => {
            vec![*a]
        }
        Node::Binary(_, a, b)
        | Node::MulLo(a, b)
        | Node::Cmp(_, a, b)
        | Node::MaskBin(_, a, b)
        | Node::WithF64(a, b)
        | Node::WithFma(a, b) => vec![*a, *b],
        Node::Fma(a, b, c) | Node::Select(a, b, c) | Node::Rare(a, b, c) => vec![*a, *b, *c],
        Node::Ldexp(a, b, c, d) => vec![*a, *b, *c, *d],
        Node::Call(_, args) => args.clone(),
    }
}
