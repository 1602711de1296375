//! Parsing and checking: a `syn::ItemFn` written in the kernel language becomes an
//! [`ir::Kernel`]. Every rejection is a `syn::Error` spanned at the offending token
//! that says what the language allows instead; nothing here panics on bad input.

use std::collections::HashMap;

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{BinOp as SynBinOp, Expr, FnArg, Lit, Pat, ReturnType, Stmt, Type, UnOp as SynUnOp};

use crate::builtins::{self, Arg};
use crate::ir::{BinOp, CallTarget, CmpOp, Graph, Kernel, MaskOp, Node, Param, ParamKind, Ty, UnOp, ValueId};
use crate::{emit, lower};

pub const MAX_STREAMS: usize = 3;
pub const MAX_SCALARS: usize = 4;

const ALLOWED: &str = "the kernel language allows `let` bindings, `+ - * /`, unary `-`, \
comparisons, `&&`/`||`/`!` on comparison results, `if c { a } else { b }`, float literals, \
builtin calls and calls to other #[kernel] functions";

/// Options written in the attribute: `#[kernel(max_ulp = 2)]`.
pub struct Options {
    pub max_ulp: f32,
}

pub fn options(attr: proc_macro2::TokenStream) -> syn::Result<Options> {
    let mut max_ulp = None;
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("max_ulp") {
            let lit: Lit = meta.value()?.parse()?;
            let value = match &lit {
                Lit::Int(i) => i.base10_parse::<f32>()?,
                Lit::Float(f) => f.base10_parse::<f32>()?,
                _ => {
                    return Err(syn::Error::new(
                        lit.span(),
                        "`max_ulp` takes a number, e.g. `max_ulp = 1`",
                    ));
                }
            };
            if !(value.is_finite() && value >= 0.0) {
                return Err(syn::Error::new(lit.span(), "`max_ulp` must be a finite number >= 0"));
            }
            max_ulp = Some(value);
            Ok(())
        } else {
            Err(meta.error("unknown #[kernel] option; the options are: `max_ulp = <ulp>`"))
        }
    });
    syn::parse::Parser::parse2(parser, attr)?;
    Ok(Options {
        // An undeclared bound means correctly rounded, like `+` and `*`.
        max_ulp: max_ulp.unwrap_or(0.5),
    })
}

pub fn kernel(options: Options, item: syn::ItemFn) -> syn::Result<Kernel> {
    let sig = &item.sig;
    if let Some(tok) = &sig.constness {
        return Err(syn::Error::new(tok.span(), "a kernel cannot be `const`"));
    }
    if let Some(tok) = &sig.asyncness {
        return Err(syn::Error::new(tok.span(), "a kernel cannot be `async`"));
    }
    if let Some(tok) = &sig.unsafety {
        return Err(syn::Error::new(
            tok.span(),
            "a kernel cannot be `unsafe`; the macro writes the unsafe variants",
        ));
    }
    if let Some(abi) = &sig.abi {
        return Err(syn::Error::new(abi.span(), "a kernel cannot declare an ABI"));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        return Err(syn::Error::new(
            sig.generics.span(),
            "a kernel cannot be generic; it computes on `f32`",
        ));
    }
    if let Some(variadic) = &sig.variadic {
        return Err(syn::Error::new(variadic.span(), "a kernel cannot be variadic"));
    }
    let returns = match &sig.output {
        ReturnType::Default => {
            return Err(syn::Error::new(
                sig.paren_token.span.close(),
                format!(
                    "missing return type: kernel `{}` must return `f32` (write `-> f32`)",
                    sig.ident
                ),
            ));
        }
        ReturnType::Type(_, ty) => expect_float(ty, "the return type")?,
    };
    // `-> f64` makes an f64 helper: f64 parameters, no slice API, called by
    // kernels inside the first argument of `with_f64`.
    let wide = returns == Ty::F64;

    if lower::targets().iter().any(|t| sig.ident == t.name()) {
        return Err(syn::Error::new(
            sig.ident.span(),
            format!(
                "a kernel cannot be named `{0}`: every kernel's module holds a `{0}` module of \
                 generated code, so calls to this kernel would find that instead",
                sig.ident
            ),
        ));
    }
    let mut params = Vec::new();
    let mut scope = Scope::default();
    let mut graph = Graph::default();
    for input in &sig.inputs {
        let pt = match input {
            FnArg::Receiver(r) => {
                return Err(syn::Error::new(r.span(), "a kernel cannot take `self`"));
            }
            FnArg::Typed(pt) => pt,
        };
        let name = match &*pt.pat {
            Pat::Ident(pi) if pi.by_ref.is_none() && pi.mutability.is_none() && pi.subpat.is_none() => pi.ident.clone(),
            other => {
                return Err(syn::Error::new(
                    other.span(),
                    "a kernel parameter is a plain name, e.g. `x: f32`",
                ));
            }
        };
        if emit::ITEMS.iter().any(|item| name == item) {
            return Err(syn::Error::new(
                name.span(),
                format!(
                    "a kernel parameter cannot be named `{name}`: the kernel's module defines an item \
                     of that name, which a parameter may not shadow"
                ),
            ));
        }
        let mut kind = ParamKind::Stream;
        for attr in &pt.attrs {
            if attr.path().is_ident("scalar") && matches!(attr.meta, syn::Meta::Path(_)) {
                kind = ParamKind::Scalar;
            } else {
                return Err(syn::Error::new(
                    attr.span(),
                    "the only parameter attribute is `#[scalar]` (a value constant over the call)",
                ));
            }
        }
        let ty = expect_float(&pt.ty, &format!("parameter `{name}`"))?;
        if ty != returns || (wide && kind == ParamKind::Scalar) {
            return Err(syn::Error::new(
                pt.ty.span(),
                format!(
                    "parameter `{name}`: a kernel takes and returns `f32`; an f64 helper (`-> f64`) takes only \
                     `f64` parameters, none `#[scalar]`"
                ),
            ));
        }
        let id = graph.add(Node::Param(params.len()));
        graph.types[id] = ty;
        scope.bind(&name, id);
        params.push(Param { name, kind });
    }
    let streams = params.iter().filter(|p| p.kind == ParamKind::Stream).count();
    let scalars = params.len() - streams;
    if streams == 0 || streams > MAX_STREAMS {
        return Err(syn::Error::new(
            sig.paren_token.span.join(),
            format!(
                "kernel `{}` has {streams} streaming inputs; a kernel takes 1 to {MAX_STREAMS} (mark constants `#[scalar]`)",
                sig.ident
            ),
        ));
    }
    if scalars > MAX_SCALARS {
        return Err(syn::Error::new(
            sig.paren_token.span.join(),
            format!(
                "kernel `{}` has {scalars} `#[scalar]` parameters; at most {MAX_SCALARS} are supported",
                sig.ident
            ),
        ));
    }

    let mut body = Body {
        graph,
        scope,
        name: sig.ident.clone(),
        narrows: Vec::new(),
    };
    let result = body.block(&item.block)?;
    match body.graph.ty(result) {
        ty if ty == returns => {}
        Ty::F32 => {
            return Err(syn::Error::new(
                result_span(&item.block),
                "an f64 helper returns an `f64`, but this is an `f32` value; convert it with `widen(..)`",
            ));
        }
        Ty::F64 => {
            return Err(syn::Error::new(
                result_span(&item.block),
                "a kernel returns an `f32`, but this is an `f64` value; round it once with `narrow(..)`",
            ));
        }
        Ty::Mask => {
            return Err(syn::Error::new(
                result_span(&item.block),
                "a kernel returns an `f32`, but this is a comparison result; use `select(condition, a, b)`",
            ));
        }
    }

    let docs = item
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .cloned()
        .collect();
    if let Some(attr) = item.attrs.iter().find(|a| !a.path().is_ident("doc")) {
        return Err(syn::Error::new(
            attr.span(),
            "only doc comments may be combined with #[kernel]; the generated items carry their own attributes",
        ));
    }
    let kernel = Kernel {
        name: sig.ident.clone(),
        vis: item.vis.clone(),
        docs,
        params,
        max_ulp: options.max_ulp,
        graph: body.graph,
        result,
        wide,
    };
    // WGSL has no f64: what the shader computes must not need one.
    let gpu = if wide { Vec::new() } else { kernel.live_nodes(false) };
    if let Some((_, span)) = body.narrows.iter().find(|(id, _)| gpu.contains(id)) {
        return Err(syn::Error::new(
            *span,
            "`narrow(..)` outside the first argument of `with_f64`: WGSL has no f64, so the shader needs \
             an f32 formulation; write `with_f64(narrow(..), <the same in f32>)`",
        ));
    }
    Ok(kernel)
}

fn result_span(block: &syn::Block) -> Span {
    block.stmts.last().map_or(block.span(), |s| s.span())
}

fn expect_f32(ty: &Type, what: &str) -> syn::Result<()> {
    match ty {
        Type::Path(tp) if tp.qself.is_none() && tp.path.is_ident("f32") => Ok(()),
        Type::Reference(_) | Type::Slice(_) | Type::Array(_) | Type::Ptr(_) => Err(syn::Error::new(
            ty.span(),
            format!("{what} must be `f32`: a kernel is written for one element, and the macro generates the slice API"),
        )),
        _ => Err(syn::Error::new(
            ty.span(),
            format!("{what} must be `f32` (`f64` in an f64 helper); kernels compute in single precision"),
        )),
    }
}

/// A `let` annotation: `f32` or `f64`.
fn expect_float(ty: &Type, what: &str) -> syn::Result<Ty> {
    match ty {
        Type::Path(tp) if tp.qself.is_none() && tp.path.is_ident("f64") => Ok(Ty::F64),
        _ => expect_f32(ty, what).map(|()| Ty::F32),
    }
}

/// The value of a float literal, possibly parenthesised or negated, in double
/// precision: literals take the precision of the values they meet.
fn literal_f64(expr: &Expr) -> Option<syn::Result<f64>> {
    match expr {
        Expr::Lit(syn::ExprLit { lit: Lit::Float(f), .. }) => Some(f.base10_parse()),
        Expr::Paren(p) => literal_f64(&p.expr),
        Expr::Group(g) => literal_f64(&g.expr),
        Expr::Unary(u) if matches!(u.op, SynUnOp::Neg(_)) => literal_f64(&u.expr).map(|v| v.map(|v| -v)),
        _ => None,
    }
}

#[derive(Default)]
struct Scope {
    names: HashMap<String, ValueId>,
}

impl Scope {
    fn bind(&mut self, name: &syn::Ident, id: ValueId) {
        self.names.insert(name.to_string(), id);
    }

    fn lookup(&self, name: &syn::Ident) -> syn::Result<ValueId> {
        self.names.get(&name.to_string()).copied().ok_or_else(|| {
            let mut known: Vec<&str> = self.names.keys().map(String::as_str).collect();
            known.sort_unstable();
            syn::Error::new(
                name.span(),
                format!("unknown variable `{name}`; in scope here: {}", known.join(", ")),
            )
        })
    }
}

struct Body {
    graph: Graph,
    scope: Scope,
    /// The kernel's own name, which its body must not call.
    name: syn::Ident,
    /// Every `narrow(..)` call, to point at one the shader would need.
    narrows: Vec<(ValueId, Span)>,
}

impl Body {
    fn block(&mut self, block: &syn::Block) -> syn::Result<ValueId> {
        let Some((last, init)) = block.stmts.split_last() else {
            return Err(syn::Error::new(
                block.span(),
                "an empty kernel body; it must end with the result expression",
            ));
        };
        for stmt in init {
            self.stmt(stmt)?;
        }
        match last {
            Stmt::Expr(expr, None) => self.expr(expr),
            Stmt::Expr(Expr::Return(ret), _) => Err(syn::Error::new(
                ret.span(),
                "`return` is not part of the kernel language; end the body with the result expression",
            )),
            other => {
                self.stmt(other)?;
                Err(syn::Error::new(
                    other.span(),
                    "the kernel body must end with the result expression (no trailing `;`)",
                ))
            }
        }
    }

    fn stmt(&mut self, stmt: &Stmt) -> syn::Result<()> {
        match stmt {
            Stmt::Local(local) => {
                let (name, ty) = match &local.pat {
                    Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => {
                        if let Some(m) = &pi.mutability {
                            return Err(syn::Error::new(
                                m.span(),
                                "bindings are immutable; shadow the name with a new `let` instead of `mut`",
                            ));
                        }
                        (&pi.ident, None)
                    }
                    Pat::Type(pt) => match &*pt.pat {
                        Pat::Ident(pi) if pi.by_ref.is_none() && pi.mutability.is_none() && pi.subpat.is_none() => {
                            (&pi.ident, Some(&*pt.ty))
                        }
                        other => {
                            return Err(syn::Error::new(
                                other.span(),
                                "`let` binds a plain name, e.g. `let y = ...;`",
                            ));
                        }
                    },
                    other => {
                        return Err(syn::Error::new(
                            other.span(),
                            "`let` binds a plain name, e.g. `let y = ...;`",
                        ));
                    }
                };
                let declared = match ty {
                    Some(ty) => Some(expect_float(ty, &format!("binding `{name}`"))?),
                    None => None,
                };
                let Some(init) = &local.init else {
                    return Err(syn::Error::new(
                        local.span(),
                        format!("`let {name}` needs a value: `let {name} = ...;`"),
                    ));
                };
                if let Some((else_tok, _)) = &init.diverge {
                    return Err(syn::Error::new(
                        else_tok.span(),
                        "`let ... else` is not part of the kernel language",
                    ));
                }
                let value = match declared {
                    Some(Ty::F64) => self.typed_operand(&init.expr, Ty::F64)?,
                    Some(_) => self.f32_operand(&init.expr)?,
                    None => self.expr(&init.expr)?,
                };
                self.scope.bind(name, value);
                Ok(())
            }
            Stmt::Expr(expr, _) => match expr {
                Expr::Return(_) => Err(syn::Error::new(
                    expr.span(),
                    "`return` is not part of the kernel language; end the body with the result expression",
                )),
                _ => {
                    // Loops, assignments and the like get their specific message here.
                    self.expr(expr)?;
                    Err(syn::Error::new(
                        expr.span(),
                        "this statement has no effect; bind it with `let` or make it the final expression",
                    ))
                }
            },
            Stmt::Item(item) => Err(syn::Error::new(
                item.span(),
                "items cannot be declared inside a kernel; declare helpers as #[kernel] functions outside it",
            )),
            Stmt::Macro(mac) => Err(syn::Error::new(
                mac.span(),
                format!("macros are not part of the kernel language; {ALLOWED}"),
            )),
        }
    }

    fn f32_operand(&mut self, expr: &Expr) -> syn::Result<ValueId> {
        self.typed_operand(expr, Ty::F32)
    }

    /// A value of type `ty`; a literal becomes a constant of that precision.
    fn typed_operand(&mut self, expr: &Expr, ty: Ty) -> syn::Result<ValueId> {
        if ty == Ty::F64
            && let Some(value) = literal_f64(expr)
        {
            return Ok(self.graph.constant64(value?));
        }
        let id = self.expr(expr)?;
        match (ty, self.graph.ty(id)) {
            (want, found) if want == found => Ok(id),
            (Ty::F32, Ty::F64) => Err(syn::Error::new(
                expr.span(),
                "expected an `f32` value, found an `f64` one; round it once with `narrow(..)`",
            )),
            (Ty::F64, Ty::F32) => Err(syn::Error::new(
                expr.span(),
                "expected an `f64` value, found an `f32` one; convert it with `widen(..)` (literals adapt by themselves)",
            )),
            (_, Ty::Mask) => Err(syn::Error::new(
                expr.span(),
                "expected a number, found a comparison result; use it in `select(condition, a, b)`",
            )),
            (Ty::Mask, _) => Err(syn::Error::new(
                expr.span(),
                "expected a comparison (e.g. `x < 0.0`), found a number",
            )),
            _ => unreachable!("every pair of types is covered above"),
        }
    }

    /// Operands that compute in one precision: `f64` if any of them is, `f32`
    /// otherwise. Literals adapt; evaluation stays in source order.
    fn numbers(&mut self, exprs: &[&Expr]) -> syn::Result<Vec<ValueId>> {
        let mut ids = Vec::with_capacity(exprs.len());
        for expr in exprs {
            let id = self.expr(expr)?;
            if self.graph.ty(id) == Ty::Mask {
                return Err(syn::Error::new(
                    expr.span(),
                    "expected a number, found a comparison result; use it in `select(condition, a, b)`",
                ));
            }
            ids.push(id);
        }
        if ids.iter().any(|&id| self.graph.ty(id) == Ty::F64) {
            for (id, expr) in ids.iter_mut().zip(exprs) {
                *id = self.typed_operand(expr, Ty::F64)?;
            }
        }
        Ok(ids)
    }

    fn mask_operand(&mut self, expr: &Expr) -> syn::Result<ValueId> {
        self.typed_operand(expr, Ty::Mask)
    }

    fn expr(&mut self, expr: &Expr) -> syn::Result<ValueId> {
        match expr {
            Expr::Lit(lit) => self.literal(&lit.lit),
            Expr::Paren(p) => self.expr(&p.expr),
            Expr::Group(g) => self.expr(&g.expr),
            Expr::Path(p) => match p.path.get_ident() {
                Some(ident) if p.qself.is_none() => self.scope.lookup(ident),
                _ => Err(syn::Error::new(
                    p.span(),
                    "paths are not values in the kernel language; name a parameter or a `let` binding",
                )),
            },
            Expr::Unary(u) => match u.op {
                SynUnOp::Neg(_) => {
                    let [a] = self.numbers(&[&u.expr])?[..] else {
                        unreachable!("one operand")
                    };
                    Ok(match self.graph.as_const(a) {
                        Some(c) => self.graph.constant(-c),
                        None => self.graph.add(Node::Unary(UnOp::Neg, a)),
                    })
                }
                SynUnOp::Not(_) => {
                    let a = self.mask_operand(&u.expr)?;
                    Ok(self.graph.add(Node::Not(a)))
                }
                _ => Err(syn::Error::new(
                    u.op.span(),
                    "dereferencing is not part of the kernel language: parameters are `f32` values, not references",
                )),
            },
            Expr::Binary(b) => self.binary(b),
            Expr::Call(call) => self.call(call),
            Expr::If(e) => {
                let cond = self.mask_operand(&e.cond)?;
                let Some((_, else_branch)) = &e.else_branch else {
                    return Err(syn::Error::new(
                        e.if_token.span,
                        "`if` needs an `else`: both branches are computed and one is selected per element",
                    ));
                };
                let then = self.block_expr(&e.then_branch)?;
                let other = self.f32_operand(else_branch)?;
                if self.graph.ty(then) != Ty::F32 {
                    return Err(syn::Error::new(
                        e.then_branch.span(),
                        "an `if` branch must be an `f32` value",
                    ));
                }
                Ok(self.graph.add(Node::Select(cond, then, other)))
            }
            Expr::Block(b) if b.label.is_none() && b.block.stmts.len() == 1 => self.block_expr(&b.block),
            Expr::Reference(r) => Err(syn::Error::new(
                r.and_token.span,
                "references are not part of the kernel language: parameters and bindings are `f32` values",
            )),
            Expr::ForLoop(l) => Err(syn::Error::new(l.for_token.span, loop_message())),
            Expr::While(l) => Err(syn::Error::new(l.while_token.span, loop_message())),
            Expr::Loop(l) => Err(syn::Error::new(l.loop_token.span, loop_message())),
            Expr::MethodCall(m) => Err(syn::Error::new(
                m.method.span(),
                format!(
                    "method calls are not part of the kernel language; write `{0}(x, ..)` instead of `x.{0}(..)` if `{0}` is a builtin ({1})",
                    m.method,
                    builtins::names()
                ),
            )),
            Expr::Assign(a) => Err(syn::Error::new(
                a.eq_token.span,
                "assignment is not part of the kernel language; bind a new value with `let`",
            )),
            Expr::Cast(c) => Err(syn::Error::new(
                c.as_token.span,
                "casts are not part of the kernel language; every value is `f32` (see `round`, `trunc`, `pow2i`)",
            )),
            Expr::Index(i) => Err(syn::Error::new(
                i.bracket_token.span.join(),
                "indexing is not part of the kernel language: a kernel sees one element of each input",
            )),
            Expr::Return(r) => Err(syn::Error::new(
                r.return_token.span,
                "`return` is not part of the kernel language; end the body with the result expression",
            )),
            Expr::Macro(m) => Err(syn::Error::new(
                m.mac.path.span(),
                format!("macros are not part of the kernel language; {ALLOWED}"),
            )),
            other => Err(syn::Error::new(
                other.span(),
                format!("this expression is not part of the kernel language; {ALLOWED}"),
            )),
        }
    }

    fn block_expr(&mut self, block: &syn::Block) -> syn::Result<ValueId> {
        match block.stmts.as_slice() {
            [Stmt::Expr(e, None)] => self.expr(e),
            _ => Err(syn::Error::new(
                block.span(),
                "a branch is a single expression; compute values with `let` before the `if`",
            )),
        }
    }

    fn literal(&mut self, lit: &Lit) -> syn::Result<ValueId> {
        match lit {
            Lit::Float(f) => {
                if !matches!(f.suffix(), "" | "f32") {
                    return Err(syn::Error::new(f.span(), "float literals are `f32`; drop the suffix"));
                }
                let value: f32 = f.base10_parse()?;
                if !value.is_finite() {
                    return Err(syn::Error::new(f.span(), "this literal overflows `f32`"));
                }
                Ok(self.graph.constant(value))
            }
            Lit::Int(i) => Err(syn::Error::new(
                i.span(),
                format!(
                    "integer literal `{0}`: kernels compute in `f32`, write `{0}.0`",
                    i.base10_digits()
                ),
            )),
            other => Err(syn::Error::new(
                other.span(),
                "only float literals are part of the kernel language",
            )),
        }
    }

    fn binary(&mut self, b: &syn::ExprBinary) -> syn::Result<ValueId> {
        let arith = match b.op {
            SynBinOp::Add(_) => Some(BinOp::Add),
            SynBinOp::Sub(_) => Some(BinOp::Sub),
            SynBinOp::Mul(_) => Some(BinOp::Mul),
            SynBinOp::Div(_) => Some(BinOp::Div),
            _ => None,
        };
        if let Some(op) = arith {
            let [l, r] = self.numbers(&[&b.left, &b.right])?[..] else {
                unreachable!("two operands")
            };
            return Ok(self.graph.add(Node::Binary(op, l, r)));
        }
        let cmp = match b.op {
            SynBinOp::Lt(_) => Some(CmpOp::Lt),
            SynBinOp::Le(_) => Some(CmpOp::Le),
            SynBinOp::Gt(_) => Some(CmpOp::Gt),
            SynBinOp::Ge(_) => Some(CmpOp::Ge),
            SynBinOp::Eq(_) => Some(CmpOp::Eq),
            SynBinOp::Ne(_) => Some(CmpOp::Ne),
            _ => None,
        };
        if let Some(op) = cmp {
            let l = self.f32_operand(&b.left)?;
            let r = self.f32_operand(&b.right)?;
            return Ok(self.graph.add(Node::Cmp(op, l, r)));
        }
        let logic = match b.op {
            SynBinOp::And(_) => Some(MaskOp::And),
            SynBinOp::Or(_) => Some(MaskOp::Or),
            _ => None,
        };
        if let Some(op) = logic {
            let l = self.mask_operand(&b.left)?;
            let r = self.mask_operand(&b.right)?;
            return Ok(self.graph.add(Node::MaskBin(op, l, r)));
        }
        Err(syn::Error::new(
            b.op.span(),
            "this operator is not part of the kernel language; allowed are `+ - * /`, comparisons, `&&` and `||`",
        ))
    }

    fn call(&mut self, call: &syn::ExprCall) -> syn::Result<ValueId> {
        let Expr::Path(func) = &*call.func else {
            return Err(syn::Error::new(call.func.span(), "only named functions can be called"));
        };
        if func.qself.is_some() {
            return Err(syn::Error::new(func.span(), "only named functions can be called"));
        }
        let builtin = func.path.get_ident().and_then(|i| builtins::find(&i.to_string()));
        let Some(builtin) = builtin else {
            // Not a builtin: a call to another #[kernel], resolved by Rust's name
            // lookup through the callee's generated module.
            if func.path.is_ident(&self.name) {
                return Err(syn::Error::new(
                    func.span(),
                    format!(
                        "kernel `{}` calls itself: calls are inlined, so recursion is not part of the kernel language",
                        self.name
                    ),
                ));
            }
            // All `f64` arguments call an f64 helper, whose result is `f64`.
            let args: Vec<&Expr> = call.args.iter().collect();
            let args = self.numbers(&args)?;
            return Ok(self.graph.add(Node::Call(CallTarget::new(func.path.clone()), args)));
        };
        if builtin.name == "poly" {
            return self.poly(call, builtin.args[0]);
        }
        if builtin.name == "table" {
            return self.table(call, builtin.args[0]);
        }
        if call.args.len() != builtin.args.len() {
            return Err(syn::Error::new(
                call.paren_token.span.join(),
                format!(
                    "`{}` takes {} argument{}: {}; found {}",
                    builtin.name,
                    builtin.args.len(),
                    if builtin.args.len() == 1 { "" } else { "s" },
                    builtin.signature,
                    call.args.len()
                ),
            ));
        }
        let numbers: Vec<&Expr> = call
            .args
            .iter()
            .zip(builtin.args)
            .filter(|(_, kind)| **kind == Arg::Num)
            .map(|(arg, _)| arg)
            .collect();
        let mut numbers = self.numbers(&numbers)?.into_iter();
        let mut args = Vec::with_capacity(call.args.len());
        for (arg, kind) in call.args.iter().zip(builtin.args) {
            args.push(match kind {
                Arg::F32 => self.f32_operand(arg)?,
                Arg::F64 => self.typed_operand(arg, Ty::F64)?,
                Arg::Mask => self.mask_operand(arg)?,
                Arg::Num => numbers.next().expect("one value per `Num` argument"),
            });
        }
        let id = builtins::expand(&mut self.graph, builtin.name, &args);
        if builtin.name == "narrow" {
            self.narrows.push((id, call.span()));
        }
        Ok(id)
    }

    /// The arguments of `poly` and `table`: a value of the kind the builtin
    /// table gives (`f32`, or either precision), then a non-empty array literal.
    fn value_and_array<'c>(
        &mut self,
        call: &'c syn::ExprCall,
        usage: &str,
        value: Arg,
    ) -> syn::Result<(ValueId, &'c syn::ExprArray)> {
        let (Some(x), Some(Expr::Array(array)), 2) = (call.args.first(), call.args.get(1), call.args.len()) else {
            return Err(syn::Error::new(call.paren_token.span.join(), usage));
        };
        if array.elems.is_empty() {
            return Err(syn::Error::new(array.span(), usage));
        }
        let x = match value {
            Arg::Num => self.numbers(&[x])?[0],
            _ => self.f32_operand(x)?,
        };
        Ok((x, array))
    }

    fn poly(&mut self, call: &syn::ExprCall, value: Arg) -> syn::Result<ValueId> {
        let usage = "`poly(x, [c0, c1, ..])` takes a value and a non-empty array of coefficients, lowest degree first";
        let (x, coeffs) = self.value_and_array(call, usage, value)?;
        // The coefficients are in `x`'s precision.
        let ty = self.graph.ty(x);
        let mut cs = Vec::with_capacity(coeffs.elems.len());
        for c in &coeffs.elems {
            cs.push(self.typed_operand(c, ty)?);
        }
        Ok(builtins::poly(&mut self.graph, x, &cs))
    }

    fn table(&mut self, call: &syn::ExprCall, value: Arg) -> syn::Result<ValueId> {
        let usage = "`table(i, [t0, t1, ..])` takes an index and a non-empty array of constant entries";
        let (i, entries) = self.value_and_array(call, usage, value)?;
        let mut values = Vec::with_capacity(entries.elems.len());
        for e in &entries.elems {
            let id = self.f32_operand(e)?;
            let Some(value) = self.graph.as_const(id) else {
                return Err(syn::Error::new(e.span(), "table entries must be constant numbers"));
            };
            values.push(value.to_bits());
        }
        Ok(self.graph.add(Node::Table(i, values)))
    }
}

fn loop_message() -> String {
    format!(
        "loops are not part of the kernel language: a kernel computes one element, and the loop over \
         elements is generated; for polynomials use `poly(x, [c0, c1, ..])`. Builtins: {}",
        builtins::names()
    )
}
