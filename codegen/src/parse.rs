//! Parsing and checking: a `syn::ItemFn` written in the kernel language becomes an
//! [`ir::Kernel`]. Every rejection is a `syn::Error` spanned at the offending token
//! that says what the language allows instead; nothing here panics on bad input.

use std::collections::HashMap;

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{BinOp as SynBinOp, Expr, FnArg, Lit, Pat, ReturnType, Stmt, Type, UnOp as SynUnOp};

use crate::builtins;
use crate::ir::{BinOp, CallTarget, CmpOp, Graph, Kernel, MaskOp, Node, Param, ParamKind, Ty, UnOp, ValueId};

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
    match &sig.output {
        ReturnType::Default => {
            return Err(syn::Error::new(
                sig.paren_token.span.close(),
                format!(
                    "missing return type: kernel `{}` must return `f32` (write `-> f32`)",
                    sig.ident
                ),
            ));
        }
        ReturnType::Type(_, ty) => expect_f32(ty, "the return type")?,
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
        expect_f32(&pt.ty, &format!("parameter `{name}`"))?;
        let id = graph.add(Node::Param(params.len()));
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
    };
    let result = body.block(&item.block)?;
    if body.graph.ty(result) != Ty::F32 {
        return Err(syn::Error::new(
            result_span(&item.block),
            "a kernel returns an `f32`, but this is a comparison result; use `select(condition, a, b)`",
        ));
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
    Ok(Kernel {
        name: sig.ident.clone(),
        vis: item.vis.clone(),
        docs,
        params,
        max_ulp: options.max_ulp,
        graph: body.graph,
        result,
    })
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
            format!("{what} must be `f32`; kernels compute in single precision"),
        )),
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
                if let Some(ty) = ty {
                    expect_f32(ty, &format!("binding `{name}`"))?;
                }
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
                let value = self.expr(&init.expr)?;
                if ty.is_some() && self.graph.ty(value) != Ty::F32 {
                    return Err(syn::Error::new(
                        init.expr.span(),
                        "this is a comparison result, not an `f32`",
                    ));
                }
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
        let id = self.expr(expr)?;
        if self.graph.ty(id) == Ty::F32 {
            Ok(id)
        } else {
            Err(syn::Error::new(
                expr.span(),
                "expected an `f32` value, found a comparison result; use it in `select(condition, a, b)`",
            ))
        }
    }

    fn mask_operand(&mut self, expr: &Expr) -> syn::Result<ValueId> {
        let id = self.expr(expr)?;
        if self.graph.ty(id) == Ty::Mask {
            Ok(id)
        } else {
            Err(syn::Error::new(
                expr.span(),
                "expected a comparison (e.g. `x < 0.0`), found an `f32` value",
            ))
        }
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
                    let a = self.f32_operand(&u.expr)?;
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
            let l = self.f32_operand(&b.left)?;
            let r = self.f32_operand(&b.right)?;
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
            let mut args = Vec::with_capacity(call.args.len());
            for arg in &call.args {
                args.push(self.f32_operand(arg)?);
            }
            return Ok(self.graph.add(Node::Call(CallTarget::new(func.path.clone()), args)));
        };
        if builtin.name == "poly" {
            return self.poly(call);
        }
        if builtin.name == "table" {
            return self.table(call);
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
        let mut args = Vec::with_capacity(call.args.len());
        for (arg, ty) in call.args.iter().zip(builtin.args) {
            args.push(match ty {
                Ty::F32 => self.f32_operand(arg)?,
                Ty::Mask => self.mask_operand(arg)?,
            });
        }
        Ok(builtins::expand(&mut self.graph, builtin.name, &args))
    }

    /// The arguments of `poly` and `table`: a value, then a non-empty array literal.
    fn value_and_array<'c>(
        &mut self,
        call: &'c syn::ExprCall,
        usage: &str,
    ) -> syn::Result<(ValueId, &'c syn::ExprArray)> {
        let (Some(x), Some(Expr::Array(array)), 2) = (call.args.first(), call.args.get(1), call.args.len()) else {
            return Err(syn::Error::new(call.paren_token.span.join(), usage));
        };
        if array.elems.is_empty() {
            return Err(syn::Error::new(array.span(), usage));
        }
        Ok((self.f32_operand(x)?, array))
    }

    fn poly(&mut self, call: &syn::ExprCall) -> syn::Result<ValueId> {
        let usage = "`poly(x, [c0, c1, ..])` takes a value and a non-empty array of coefficients, lowest degree first";
        let (x, coeffs) = self.value_and_array(call, usage)?;
        let mut cs = Vec::with_capacity(coeffs.elems.len());
        for c in &coeffs.elems {
            cs.push(self.f32_operand(c)?);
        }
        Ok(builtins::poly(&mut self.graph, x, &cs))
    }

    fn table(&mut self, call: &syn::ExprCall) -> syn::Result<ValueId> {
        let usage = "`table(i, [t0, t1, ..])` takes an index and a non-empty array of constant entries";
        let (i, entries) = self.value_and_array(call, usage)?;
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
