//! WGSL: the same IR as the CPU variants, as a WGSL function `k_<name>` plus a
//! compute entry point. Same polynomials and constants as the CPU; no WGSL
//! builtin with spec-loose accuracy (`exp`, `tanh`, ...) is used. Values are
//! renamed (`p0`, `v12`) so no parameter name can collide with a WGSL keyword.
//!
//! Unlike the intrinsic targets this produces text, which the runtime joins
//! with the functions of called kernels into one shader.
//!
//! WGSL lets compilers reassociate float arithmetic, and Mesa does: it turns
//! `(1 - (1 + y)) + y` into 0 and `(1 + y) - 1` into `y`, which destroys the
//! error-free transformations the kernels rely on (Fast2Sum, Kahan's log1p,
//! exact products), and it reorders product chains to bring constants
//! together (`(a * b) * 1e-9` became `(a * 1e-9) * b`; the differential
//! fuzzer found it). Every sum, difference and product is therefore
//! multiplied by `params.one`, a 1.0 the compiler only sees at run time, and
//! every constant is the bit pattern xor `params.zero`, a 0 likewise: the
//! compiler sees no constant to move or fold (folding `-0.0 * one` or `x +
//! 0.0` by algebra loses the sign of zero, so an integer xor does it).

use std::fmt::Write;

use crate::ir::{BinOp, CmpOp, Kernel, MaskOp, Node, ParamKind, UnOp, ValueId};

/// Threads per workgroup of the entry point.
pub const WORKGROUP_SIZE: u32 = 256;

pub fn function_name(kernel: &str) -> String {
    format!("k_{kernel}")
}

/// A value as an operand; `with_f64` is its fallback here (WGSL has no f64).
fn operand(k: &Kernel, id: ValueId) -> String {
    match k.graph.nodes[id] {
        Node::Param(i) => format!("p{i}"),
        Node::WithF64(_, fallback) => operand(k, fallback),
        _ => format!("v{id}"),
    }
}

/// `f32` constants in shortest round-trip form; the parser rejects non-finite ones.
fn literal(value: f32) -> String {
    format!("{value:?}f")
}

fn expr(k: &Kernel, node: &Node) -> String {
    let o = |id: &ValueId| operand(k, *id);
    match node {
        Node::Param(_) => unreachable!("parameters are referenced by name"),
        Node::Const(bits) => format!("opaque({bits:#010x}u) /* {} */", literal(f32::from_bits(*bits))),
        Node::Unary(op, a) => {
            let a = o(a);
            match op {
                UnOp::Neg => format!("-{a}"),
                UnOp::Abs => format!("abs({a})"),
                UnOp::Sqrt => format!("sqrt({a})"),
                UnOp::Recip => format!("1.0 / {a}"),
                UnOp::Rsqrt => format!("inverseSqrt({a})"),
                UnOp::Floor => format!("floor({a})"),
                UnOp::Ceil => format!("ceil({a})"),
                UnOp::Round => format!("round({a})"),
                UnOp::Trunc => format!("trunc({a})"),
                UnOp::Pow2i => format!("bitcast<f32>((i32({a}) + 127) << 23u)"),
                UnOp::Exponent => format!("f32(i32((bitcast<u32>({a}) >> 23u) & 0xffu) - 127)"),
                UnOp::Mantissa => format!("bitcast<f32>((bitcast<u32>({a}) & 0x7fffffu) | 0x3f800000u)"),
                UnOp::IntBits => format!("bitcast<f32>(u32({a}))"),
                UnOp::Bits => format!("f32(bitcast<i32>({a}))"),
            }
        }
        Node::Binary(op, a, b) => {
            let (a, b) = (o(a), o(b));
            match op {
                BinOp::Add => format!("({a} + {b}) * params.one"),
                BinOp::Sub => format!("({a} - {b}) * params.one"),
                BinOp::Mul => format!("({a} * {b}) * params.one"),
                BinOp::Div => format!("{a} / {b}"),
                BinOp::MinRaw => format!("select({b}, {a}, {a} < {b})"),
                BinOp::MaxRaw => format!("select({b}, {a}, {a} > {b})"),
                BinOp::CopySign => {
                    format!("bitcast<f32>((bitcast<u32>({a}) & 0x7fffffffu) | (bitcast<u32>({b}) & 0x80000000u))")
                }
            }
        }
        Node::Fma(a, b, c) => format!("fma({}, {}, {})", o(a), o(b), o(c)),
        Node::MulLo(..) => unreachable!("expanded into statements by `mul_lo`"),
        Node::Table(..) => unreachable!("expanded into statements by `table`"),
        Node::WithFma(..) => unreachable!("a copy of its second value, emitted by `function`"),
        Node::Const64(_) | Node::Widen(_) | Node::Narrow(_) | Node::WithF64(..) => {
            unreachable!("the parser keeps f64 values out of the shader")
        }
        Node::Cmp(op, a, b) => {
            let symbol = match op {
                CmpOp::Lt => "<",
                CmpOp::Le => "<=",
                CmpOp::Gt => ">",
                CmpOp::Ge => ">=",
                CmpOp::Eq => "==",
                CmpOp::Ne => "!=",
            };
            format!("{} {symbol} {}", o(a), o(b))
        }
        // A bit test: shader compilers may fold `x != x` to false.
        Node::IsNan(a) => format!("(bitcast<u32>({}) & 0x7fffffffu) > 0x7f800000u", o(a)),
        Node::MaskBin(op, a, b) => {
            let symbol = match op {
                MaskOp::And => "&&",
                MaskOp::Or => "||",
            };
            format!("{} {symbol} {}", o(a), o(b))
        }
        Node::Not(a) => format!("!{}", o(a)),
        // One invocation per element: nothing to skip, both sides are computed.
        Node::Select(m, t, f) | Node::Rare(m, t, f) => format!("select({}, {}, {})", o(f), o(t), o(m)),
        Node::Ldexp(.., generic) => o(generic),
        Node::Call(callee, args) => {
            let name = callee
                .path
                .segments
                .last()
                .map(|s| s.ident.to_string())
                .unwrap_or_default();
            let args: Vec<String> = args.iter().map(o).collect();
            format!("{}({})", function_name(&name), args.join(", "))
        }
    }
}

/// The exact low part of `a * b` by Dekker's product on a Veltkamp split:
/// WGSL's `fma` may be a separate multiply and add, so it cannot be relied on.
fn mul_lo(out: &mut String, id: ValueId, a: &str, b: &str) {
    let v = format!("v{id}");
    let one = "params.one";
    let _ = writeln!(out, "    let {v}_p = ({a} * {b}) * {one};");
    for (x, name) in [(a, "a"), (b, "b")] {
        let _ = writeln!(out, "    let {v}_{name}s = (4097.0f * {x}) * {one};");
        let _ = writeln!(
            out,
            "    let {v}_{name}h = ({v}_{name}s - ({v}_{name}s - {x}) * {one}) * {one};"
        );
        let _ = writeln!(out, "    let {v}_{name}l = ({x} - {v}_{name}h) * {one};");
    }
    let _ = writeln!(
        out,
        "    let {v} = ((((({v}_ah * {v}_bh) * {one} - {v}_p) * {one} + ({v}_ah * {v}_bl) * {one}) * {one} \
         + ({v}_al * {v}_bh) * {one}) * {one} + ({v}_al * {v}_bl) * {one}) * {one};"
    );
}

/// A function-scope array (a `var`, which WGSL lets any index address), read at
/// the index modulo a power-of-two length (WGSL's `i32(f32)` truncates), or
/// clamped into it.
fn table(out: &mut String, id: ValueId, i: &str, bits: &[u32]) {
    let entries: Vec<String> = bits.iter().map(|&b| literal(f32::from_bits(b))).collect();
    let n = entries.len();
    let _ = writeln!(out, "    var v{id}_t = array<f32, {n}>({});", entries.join(", "));
    let index = if n.is_power_of_two() {
        format!("u32(i32({i})) & {}u", n - 1)
    } else {
        format!("min(u32(max({i}, 0.0f)), {}u)", n - 1)
    };
    let _ = writeln!(out, "    let v{id} = v{id}_t[{index}];");
}

/// `fn k_<name>(p0: f32, ..) -> f32`, the kernel on one element.
pub fn function(k: &Kernel) -> String {
    let params: Vec<String> = (0..k.params.len()).map(|i| format!("p{i}: f32")).collect();
    let mut out = format!(
        "fn {}({}) -> f32 {{\n",
        function_name(&k.name.to_string()),
        params.join(", ")
    );
    for id in k.live_nodes(false) {
        match &k.graph.nodes[id] {
            Node::Param(_) | Node::WithF64(..) => {}
            Node::WithFma(_, otherwise) => {
                let _ = writeln!(out, "    let v{id} = {};", operand(k, *otherwise));
            }
            Node::MulLo(a, b) => mul_lo(&mut out, id, &operand(k, *a), &operand(k, *b)),
            Node::Table(i, bits) => table(&mut out, id, &operand(k, *i), bits),
            node => {
                let _ = writeln!(out, "    let v{id} = {};", expr(k, node));
            }
        }
    }
    let _ = writeln!(out, "    return {};\n}}", operand(k, k.result));
    out
}

/// What every shader starts with, its own and a fused chain's alike: the
/// uniform at binding 0 (length, row pitch of a 2D dispatch, the opaque 1.0,
/// four scalar parameters, the opaque 0) and `opaque`, which every constant
/// goes through.
pub const PRELUDE: &str = "struct Params {\n    len: u32,\n    row: u32,\n    one: f32,\n    s0: f32,\n    s1: f32,\n    s2: f32,\n    s3: f32,\n    zero: u32,\n}\n\n\
    @group(0) @binding(0) var<uniform> params: Params;\n\n\
    fn opaque(bits: u32) -> f32 {\n    return bitcast<f32>(bits ^ params.zero);\n}\n\n";

/// The compute entry point, after [`PRELUDE`]: binding 0 is its uniform, then one read-only buffer per
/// streaming input, then the output. Every index is checked against the length
/// and the buffer.
pub fn entry(k: &Kernel) -> String {
    let mut out = String::new();
    let streams = k.streams().count();
    for i in 0..streams {
        let _ = writeln!(
            out,
            "@group(0) @binding({}) var<storage, read> in{i}: array<f32>;",
            i + 1
        );
    }
    let _ = writeln!(
        out,
        "@group(0) @binding({}) var<storage, read_write> out: array<f32>;",
        streams + 1
    );
    let (mut si, mut ci) = (0, 0);
    let args: Vec<String> = k
        .params
        .iter()
        .map(|p| match p.kind {
            ParamKind::Stream => {
                si += 1;
                format!("in{}[i]", si - 1)
            }
            ParamKind::Scalar => {
                ci += 1;
                format!("params.s{}", ci - 1)
            }
        })
        .collect();
    let _ = write!(
        out,
        "\n@compute @workgroup_size({WORKGROUP_SIZE})\n\
         fn main(@builtin(global_invocation_id) id: vec3<u32>) {{\n    \
         let i = id.x + id.y * params.row;\n    \
         if i >= params.len || i >= arrayLength(&out) {{\n        return;\n    }}\n    \
         out[i] = {}({});\n}}\n",
        function_name(&k.name.to_string()),
        args.join(", ")
    );
    out
}
