//! An interpreter of the IR in plain scalar Rust: the semantics of each node
//! written once more, independently of the lowerings, so that a differential
//! fuzzer can check every generated variant against it bit for bit.

use proc_macro2::TokenStream;

use crate::ir::{BinOp, CmpOp, Kernel, MaskOp, Node, UnOp};

/// A parsed kernel that can be evaluated on one element.
pub struct Program {
    kernel: Kernel,
    /// The nodes a CPU target computes, in evaluation order.
    cpu_order: Vec<usize>,
    /// The nodes the shader computes (no f64 lanes), in evaluation order.
    gpu_order: Vec<usize>,
}

/// What the interpreter assumes of the target it stands in for.
#[derive(Clone, Copy, Debug)]
pub struct Semantics {
    /// `fma` (and `poly`) round once, as on AVX2, AVX-512 and NEON, or twice,
    /// as on SSE2 and the scalar target; WGSL permits either.
    pub fused: bool,
    /// The shader: `with_f64` takes its second value and `with_fma` its
    /// second (whatever `fused` says); on CPU targets the f64 side, and the
    /// fused side of `with_fma` where `fused`.
    pub gpu: bool,
    /// Subnormal values, read or computed, become zero of the same sign (WGSL
    /// permits it, and GPUs do it).
    pub flush_subnormals: bool,
}

impl Semantics {
    /// A CPU target, with or without FMA.
    pub const fn cpu(fused: bool) -> Semantics {
        Semantics {
            fused,
            gpu: false,
            flush_subnormals: false,
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Value {
    F(f32),
    D(f64),
    M(bool),
}

impl Value {
    fn f(self) -> f32 {
        match self {
            Value::F(v) => v,
            other => unreachable!("the parser checked types: {other:?}"),
        }
    }
    fn d(self) -> f64 {
        match self {
            Value::D(v) => v,
            other => unreachable!("the parser checked types: {other:?}"),
        }
    }
    fn m(self) -> bool {
        match self {
            Value::M(v) => v,
            other => unreachable!("the parser checked types: {other:?}"),
        }
    }
}

impl Program {
    /// Parses `#[kernel(attr)] item` as the macro would.
    pub fn parse(attr: TokenStream, item: TokenStream) -> syn::Result<Program> {
        crate::parse_kernel(attr, item).map(|kernel| Program {
            cpu_order: kernel.live_nodes(true),
            gpu_order: kernel.live_nodes(false),
            kernel,
        })
    }

    pub fn name(&self) -> String {
        self.kernel.name.to_string()
    }

    /// The kernel on one element: `args` are its parameters in declaration
    /// order, `semantics` the target's. `call` evaluates a called kernel by
    /// name. f64 arithmetic is not supported.
    pub fn eval(&self, args: &[f32], semantics: Semantics, call: &dyn Fn(&str, &[f32]) -> f32) -> f32 {
        let g = &self.kernel.graph;
        let mut values: Vec<Option<Value>> = vec![None; g.nodes.len()];
        let order = if semantics.gpu {
            &self.gpu_order
        } else {
            &self.cpu_order
        };
        let fused = semantics.fused;
        for &id in order {
            let v = |i: usize| values[i].expect("operands come first");
            let value = match &g.nodes[id] {
                Node::Param(i) => Value::F(args[*i]),
                Node::Const(bits) => Value::F(f32::from_bits(*bits)),
                Node::Const64(bits) => Value::D(f64::from_bits(*bits)),
                Node::Unary(op, a) => Value::F(unary(*op, v(*a).f())),
                Node::Binary(op, a, b) => Value::F(binary(*op, v(*a).f(), v(*b).f())),
                Node::Fma(a, b, c) => {
                    let (a, b, c) = (v(*a).f(), v(*b).f(), v(*c).f());
                    Value::F(if fused { a.mul_add(b, c) } else { a * b + c })
                }
                // The exact error, from the exact f64 product.
                Node::MulLo(a, b) => {
                    let (a, b) = (v(*a).f(), v(*b).f());
                    Value::F((f64::from(a) * f64::from(b) - f64::from(a * b)) as f32)
                }
                Node::Cmp(op, a, b) => {
                    let (a, b) = (v(*a).f(), v(*b).f());
                    Value::M(match op {
                        CmpOp::Lt => a < b,
                        CmpOp::Le => a <= b,
                        CmpOp::Gt => a > b,
                        CmpOp::Ge => a >= b,
                        CmpOp::Eq => a == b,
                        CmpOp::Ne => a != b,
                    })
                }
                Node::IsNan(a) => Value::M(v(*a).f().is_nan()),
                Node::MaskBin(MaskOp::And, a, b) => Value::M(v(*a).m() && v(*b).m()),
                Node::MaskBin(MaskOp::Or, a, b) => Value::M(v(*a).m() || v(*b).m()),
                Node::Not(a) => Value::M(!v(*a).m()),
                Node::Select(c, a, b) | Node::Rare(c, a, b) => {
                    if v(*c).m() {
                        v(*a)
                    } else {
                        v(*b)
                    }
                }
                Node::Table(i, entries) => {
                    let (i, n) = (v(*i).f(), entries.len());
                    let i = if n.is_power_of_two() {
                        (i as i32 as usize) & (n - 1)
                    } else {
                        (i as usize).min(n - 1)
                    };
                    Value::F(f32::from_bits(entries[i]))
                }
                Node::Call(target, args) => {
                    let args: Vec<f32> = args.iter().map(|&a| v(a).f()).collect();
                    let path = target.path.segments.last().expect("a path").ident.to_string();
                    Value::F(call(&path, &args))
                }
                Node::Widen(a) => Value::D(f64::from(v(*a).f())),
                Node::Narrow(a) => Value::F(v(*a).d() as f32),
                Node::WithF64(wide, fallback) => v(if semantics.gpu { *fallback } else { *wide }),
                Node::WithFma(fused_value, otherwise) => v(if fused && !semantics.gpu {
                    *fused_value
                } else {
                    *otherwise
                }),
                Node::Ldexp(.., generic) => v(*generic),
            };
            values[id] = Some(match value {
                Value::F(x) if semantics.flush_subnormals && x.is_subnormal() => Value::F(0f32.copysign(x)),
                value => value,
            });
        }
        values[self.kernel.result].expect("the result is live").f()
    }
}

fn unary(op: UnOp, a: f32) -> f32 {
    match op {
        UnOp::Neg => -a,
        UnOp::Abs => a.abs(),
        UnOp::Sqrt => a.sqrt(),
        UnOp::Recip => 1.0 / a,
        UnOp::Rsqrt => 1.0 / a.sqrt(),
        UnOp::Floor => a.floor(),
        UnOp::Ceil => a.ceil(),
        UnOp::Round => a.round_ties_even(),
        UnOp::Trunc => a.trunc(),
        UnOp::Pow2i => 2f32.powi(a as i32),
        UnOp::Exponent => ((a.to_bits() >> 23) & 0xff) as f32 - 127.0,
        UnOp::Mantissa => f32::from_bits((a.to_bits() & 0x007f_ffff) | 0x3f80_0000),
        UnOp::IntBits => f32::from_bits(a as u32),
        UnOp::Bits => a.to_bits() as i32 as f32,
    }
}

fn binary(op: BinOp, a: f32, b: f32) -> f32 {
    match op {
        BinOp::Add => a + b,
        BinOp::Sub => a - b,
        BinOp::Mul => a * b,
        BinOp::Div => a / b,
        BinOp::MinRaw => {
            if a < b {
                a
            } else {
                b
            }
        }
        BinOp::MaxRaw => {
            if a > b {
                a
            } else {
                b
            }
        }
        BinOp::CopySign => a.copysign(b),
    }
}
