//! The builtin functions of the kernel language and their expansion into IR nodes.
//!
//! Expansions live here, once, so every target (x86, NEON, WGSL) computes the
//! same function: NaN propagation of `min`/`max`, the two-step scaling of
//! `ldexp` that keeps subnormal results correctly rounded, Horner form of `poly`.

use crate::ir::{BinOp, CmpOp, Graph, MaskOp, Node, Ty, UnOp, ValueId};

/// Name, parameter list shown in errors, and argument types.
pub struct Builtin {
    pub name: &'static str,
    pub signature: &'static str,
    pub args: &'static [Arg],
}

/// What a builtin's argument may be.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Arg {
    F32,
    F64,
    /// `f32` or `f64`, the same for every `Num` argument of a call (literals adapt).
    Num,
    Mask,
}

const F: Arg = Arg::F32;
const N: Arg = Arg::Num;

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "abs",
        signature: "abs(x)",
        args: &[N],
    },
    Builtin {
        name: "sqrt",
        signature: "sqrt(x)",
        args: &[F],
    },
    Builtin {
        name: "recip",
        signature: "recip(x) (1/x within 2^-14 relative for normal x and 1/x; not bit-identical across targets)",
        args: &[F],
    },
    Builtin {
        name: "rsqrt",
        signature: "rsqrt(x) (1/sqrt(x) within 2^-14 relative for positive normal x; not bit-identical across targets)",
        args: &[F],
    },
    Builtin {
        name: "floor",
        signature: "floor(x)",
        args: &[F],
    },
    Builtin {
        name: "ceil",
        signature: "ceil(x)",
        args: &[F],
    },
    Builtin {
        name: "round",
        signature: "round(x) (ties to even)",
        args: &[N],
    },
    Builtin {
        name: "trunc",
        signature: "trunc(x)",
        args: &[F],
    },
    Builtin {
        name: "min",
        signature: "min(a, b)",
        args: &[F, F],
    },
    Builtin {
        name: "max",
        signature: "max(a, b)",
        args: &[F, F],
    },
    Builtin {
        name: "clamp",
        signature: "clamp(x, lo, hi)",
        args: &[F, F, F],
    },
    Builtin {
        name: "fma",
        signature: "fma(a, b, c)",
        args: &[N, N, N],
    },
    Builtin {
        name: "copysign",
        signature: "copysign(magnitude, sign)",
        args: &[F, F],
    },
    Builtin {
        name: "select",
        signature: "select(condition, if_true, if_false)",
        args: &[Arg::Mask, F, F],
    },
    Builtin {
        name: "rare",
        signature: "rare(condition, if_true, if_false) (select, for a condition almost never true)",
        args: &[Arg::Mask, F, F],
    },
    Builtin {
        name: "isnan",
        signature: "isnan(x)",
        args: &[F],
    },
    Builtin {
        name: "pow2i",
        signature: "pow2i(k) (2^k, k integral in [-126, 127]; in [-1022, 1023] for f64)",
        args: &[N],
    },
    Builtin {
        name: "exponent",
        signature: "exponent(x) (floor(log2|x|) for normal x; target-dependent otherwise)",
        args: &[F],
    },
    Builtin {
        name: "mantissa",
        signature: "mantissa(x) (|x| scaled into [1, 2) for normal x; target-dependent otherwise)",
        args: &[F],
    },
    Builtin {
        name: "bits",
        signature: "bits(x) (the bit pattern of x as an i32, converted to f32)",
        args: &[F],
    },
    Builtin {
        name: "table",
        signature: "table(i, [t0, t1, ..]) (the entry at trunc(i): i in range, or any i modulo a power-of-two count)",
        args: &[F],
    },
    Builtin {
        name: "mul_lo",
        signature: "mul_lo(a, b) (a * b - round(a * b), exact for |a|, |b| < 2^115 and |a b| >= 2^-102)",
        args: &[F, F],
    },
    Builtin {
        name: "add_lo",
        signature: "add_lo(a, b) (a + b - round(a + b), exact where a + b does not overflow)",
        args: &[F, F],
    },
    Builtin {
        name: "ldexp",
        signature: "ldexp(x, k) (x * 2^k, k integral)",
        args: &[F, F],
    },
    Builtin {
        name: "widen",
        signature: "widen(x) (x as f64, exact)",
        args: &[F],
    },
    Builtin {
        name: "narrow",
        signature: "narrow(x) (an f64 value rounded once to f32)",
        args: &[Arg::F64],
    },
    Builtin {
        name: "with_f64",
        signature: "with_f64(wide, fallback) (`wide` on targets with f64 lanes, every CPU target; `fallback` in WGSL)",
        args: &[F, F],
    },
    Builtin {
        name: "with_fma",
        signature: "with_fma(fused, otherwise) (`fused` on targets where `fma` rounds once: AVX2, AVX-512, NEON; `otherwise` on SSE2, scalar code and WGSL)",
        args: &[F, F],
    },
    Builtin {
        name: "poly",
        signature: "poly(x, [c0, c1, ..])",
        args: &[N],
    },
];

pub fn find(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

pub fn names() -> String {
    BUILTINS.iter().map(|b| b.name).collect::<Vec<_>>().join(", ")
}

/// Expands a builtin whose arguments are already type-checked.
/// `poly` and `table` are handled by the parser, since their arrays are not values.
pub fn expand(g: &mut Graph, name: &str, a: &[ValueId]) -> ValueId {
    match name {
        "abs" => g.add(Node::Unary(UnOp::Abs, a[0])),
        "sqrt" => g.add(Node::Unary(UnOp::Sqrt, a[0])),
        "recip" => g.add(Node::Unary(UnOp::Recip, a[0])),
        "rsqrt" => g.add(Node::Unary(UnOp::Rsqrt, a[0])),
        "floor" => g.add(Node::Unary(UnOp::Floor, a[0])),
        "ceil" => g.add(Node::Unary(UnOp::Ceil, a[0])),
        "round" => g.add(Node::Unary(UnOp::Round, a[0])),
        "trunc" => g.add(Node::Unary(UnOp::Trunc, a[0])),
        "pow2i" => g.add(Node::Unary(UnOp::Pow2i, a[0])),
        "exponent" => g.add(Node::Unary(UnOp::Exponent, a[0])),
        "mantissa" => g.add(Node::Unary(UnOp::Mantissa, a[0])),
        "bits" => g.add(Node::Unary(UnOp::Bits, a[0])),
        "mul_lo" => g.add(Node::MulLo(a[0], a[1])),
        "add_lo" => add_lo(g, a[0], a[1]),
        "min" => min_max(g, BinOp::MinRaw, a[0], a[1]),
        "max" => min_max(g, BinOp::MaxRaw, a[0], a[1]),
        "clamp" => {
            // `lo > x ? lo : x` passes a NaN `x` through, and so does the outer step.
            let lower = g.add(Node::Binary(BinOp::MaxRaw, a[1], a[0]));
            g.add(Node::Binary(BinOp::MinRaw, a[2], lower))
        }
        "fma" => g.add(Node::Fma(a[0], a[1], a[2])),
        "copysign" => g.add(Node::Binary(BinOp::CopySign, a[0], a[1])),
        "select" => g.add(Node::Select(a[0], a[1], a[2])),
        "rare" => g.add(Node::Rare(a[0], a[1], a[2])),
        "isnan" => g.add(Node::IsNan(a[0])),
        "ldexp" => ldexp(g, a[0], a[1]),
        "widen" => g.add(Node::Widen(a[0])),
        "narrow" => g.add(Node::Narrow(a[0])),
        "with_f64" => g.add(Node::WithF64(a[0], a[1])),
        "with_fma" => g.add(Node::WithFma(a[0], a[1])),
        other => unreachable!("builtin table and expansion disagree on `{other}`"),
    }
}

/// `min`/`max` with NaN propagation: NaN if either side is NaN, otherwise the
/// smaller/larger value, `b` on ties (so `max(-0.0, 0.0)` is `0.0`). The raw
/// x86 rule already returns `b` when `b` is NaN; only a NaN `a` needs a fix-up,
/// and none is needed when `a` is a constant.
fn min_max(g: &mut Graph, op: BinOp, a: ValueId, b: ValueId) -> ValueId {
    let raw = g.add(Node::Binary(op, a, b));
    match g.as_const(a) {
        Some(c) if !c.is_nan() => raw,
        _ => {
            let a_nan = g.add(Node::IsNan(a));
            g.add(Node::Select(a_nan, a, raw))
        }
    }
}

/// `x * 2^k`, a `Node::Ldexp` whose generic form is `ldexp_generic`, and
/// whose exact path a native lowering uses for its subnormal results.
fn ldexp(g: &mut Graph, x: ValueId, k: ValueId) -> ValueId {
    let exact = ldexp_exact(g, x, k);
    let generic = ldexp_generic(g, x, k, exact);
    g.add(Node::Ldexp(x, k, exact, generic))
}

/// `x * 2^k` from other nodes. Where `2^k` is a normal float and the product
/// is not subnormal, one multiply is exact (or overflows to inf, rounded
/// once); the other lanes, rare in practice, need `exact` (`ldexp_exact`),
/// which costs twice as much, so it runs only when some lane of the vector
/// needs it (`Node::Rare`).
fn ldexp_generic(g: &mut Graph, x: ValueId, k: ValueId, exact: ValueId) -> ValueId {
    let scale = g.add(Node::Unary(UnOp::Pow2i, k));
    let product = g.add(Node::Binary(BinOp::Mul, x, scale));
    let (max_k, min_normal) = (g.constant(126.0), g.constant(f32::MIN_POSITIVE));
    let k_abs = g.add(Node::Unary(UnOp::Abs, k));
    // Written as "not in range" so that a NaN `k` takes the exact path too.
    let k_in_range = g.add(Node::Cmp(CmpOp::Le, k_abs, max_k));
    let k_outside = g.add(Node::Not(k_in_range));
    let product_abs = g.add(Node::Unary(UnOp::Abs, product));
    let small = g.add(Node::Cmp(CmpOp::Lt, product_abs, min_normal));
    let rare = g.add(Node::MaskBin(MaskOp::Or, k_outside, small));
    g.add(Node::Rare(rare, exact, product))
}

/// `x * 2^k` in exact power-of-two steps, for any `k` (clamped to [-278,
/// 278], beyond which every result is 0 or inf), rounded once. A subnormal
/// result is the multiple of 2^-149 nearest to `|x| 2^(k+149)`, which is
/// computed exactly wherever it can round to a nonzero multiple (scaled up
/// first, so no intermediate is subnormal), rounded once and written as bits:
/// x86 takes a microcode assist (100+ cycles) for every multiply whose result
/// is subnormal, so those lanes never run one (their normal-path multiply is
/// defused to `2^0`). A normal result is `x 2^k1 2^k2 2^k3` with each step
/// within [-93, 93]: the intermediates lie between `x` and the result, so
/// they stay normal.
fn ldexp_exact(g: &mut Graph, x: ValueId, k: ValueId) -> ValueId {
    let c = |g: &mut Graph, v: f32| g.constant(v);
    let (lo, hi, half, third, zero) = (c(g, -278.0), c(g, 278.0), c(g, 0.5), c(g, 1.0 / 3.0), c(g, 0.0));
    let kc = g.add(Node::Binary(BinOp::MaxRaw, lo, k));
    let kc = g.add(Node::Binary(BinOp::MinRaw, hi, kc));
    // |x| 2^e with e = kc + 149 in [-129, 427], as 2^e1 2^e2: e1 in [-126,
    // 127] and e2 = e - e1 in [-3, 127], valid exponents (e2 is capped at 127:
    // beyond that, kc > 105, the result is not subnormal and `scaled` is
    // unused; e2 < 0 only where |x| 2^e < 1/2, which rounds to 0 whatever
    // the steps round to).
    let (shift, min_exponent, max_exponent) = (c(g, 149.0), c(g, -126.0), c(g, 127.0));
    let e = g.add(Node::Binary(BinOp::Add, kc, shift));
    let e1 = g.add(Node::Binary(BinOp::MinRaw, max_exponent, e));
    let e1 = g.add(Node::Binary(BinOp::MaxRaw, min_exponent, e1));
    let e2 = g.add(Node::Binary(BinOp::Sub, e, e1));
    let e2 = g.add(Node::Binary(BinOp::MinRaw, max_exponent, e2));
    let ax = g.add(Node::Unary(UnOp::Abs, x));
    let s1 = g.add(Node::Unary(UnOp::Pow2i, e1));
    let s2 = g.add(Node::Unary(UnOp::Pow2i, e2));
    let scaled = g.add(Node::Binary(BinOp::Mul, ax, s1));
    let scaled = g.add(Node::Binary(BinOp::Mul, scaled, s2));
    // Fewer than 2^23 units of 2^-149: the result is subnormal (or zero).
    let limit = c(g, 8_388_608.0);
    let tiny = g.add(Node::Cmp(CmpOp::Lt, scaled, limit));
    let units = g.add(Node::Unary(UnOp::Round, scaled));
    let sub = g.add(Node::Unary(UnOp::IntBits, units));
    let sub = g.add(Node::Binary(BinOp::CopySign, sub, x));
    // k1 = round(kc/3), k2 = round((kc - k1)/2), k3 = kc - k1 - k2; tiny lanes
    // run the normal path as x * 1 * 1 * 1.
    let k_third = g.add(Node::Binary(BinOp::Mul, kc, third));
    let k1 = g.add(Node::Unary(UnOp::Round, k_third));
    let rest = g.add(Node::Binary(BinOp::Sub, kc, k1));
    let k_half = g.add(Node::Binary(BinOp::Mul, rest, half));
    let k2 = g.add(Node::Unary(UnOp::Round, k_half));
    let k3 = g.add(Node::Binary(BinOp::Sub, rest, k2));
    let mut y = x;
    for step in [k1, k2, k3] {
        let step = g.add(Node::Select(tiny, zero, step));
        let scale = g.add(Node::Unary(UnOp::Pow2i, step));
        y = g.add(Node::Binary(BinOp::Mul, y, scale));
    }
    g.add(Node::Select(tiny, sub, y))
}

/// Knuth's TwoSum: the rounding error of `a + b`, exact for any order of
/// magnitudes, with plain adds (so every target computes it the same way).
fn add_lo(g: &mut Graph, a: ValueId, b: ValueId) -> ValueId {
    let s = g.add(Node::Binary(BinOp::Add, a, b));
    let bv = g.add(Node::Binary(BinOp::Sub, s, a));
    let av = g.add(Node::Binary(BinOp::Sub, s, bv));
    let a_err = g.add(Node::Binary(BinOp::Sub, a, av));
    let b_err = g.add(Node::Binary(BinOp::Sub, b, bv));
    g.add(Node::Binary(BinOp::Add, a_err, b_err))
}

/// Horner's rule with one `fma` per coefficient, `c0 + x*(c1 + x*(c2 + ...))`,
/// for `f32` (whose bounds are proven with these roundings). In `f64`, with
/// precision to spare, Estrin's scheme: a few more operations but a chain of
/// about log2(degree) instead of degree, which the f64 kernels are bound by.
pub fn poly(g: &mut Graph, x: ValueId, coefficients: &[ValueId]) -> ValueId {
    let (&last, rest) = coefficients
        .split_last()
        .expect("parser guarantees at least one coefficient");
    if g.ty(x) == Ty::F64 {
        return estrin(g, x, coefficients);
    }
    rest.iter().rev().fold(last, |acc, &c| g.add(Node::Fma(acc, x, c)))
}

/// `low(x) + x^m high(x)`, `m` the largest power of two below the count.
fn estrin(g: &mut Graph, x: ValueId, coefficients: &[ValueId]) -> ValueId {
    match coefficients {
        [c] => *c,
        [c0, c1] => g.add(Node::Fma(*c1, x, *c0)),
        _ => {
            let m = 1 << (usize::BITS - 1 - (coefficients.len() - 1).leading_zeros());
            let low = estrin(g, x, &coefficients[..m]);
            let high = estrin(g, x, &coefficients[m..]);
            // x^m by squaring; hash-consing shares the powers between levels.
            let xm = (1..m.trailing_zeros() + 1).fold(x, |p, _| g.add(Node::Binary(BinOp::Mul, p, p)));
            g.add(Node::Fma(high, xm, low))
        }
    }
}
