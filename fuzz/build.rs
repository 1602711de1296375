//! Writes `generated.rs`: random kernels, their sources (for the interpreter)
//! and their descriptors; with `FUZZ_MINIMISE=<kernel>`, also one kernel per
//! sub-expression of that kernel, so the test can print the smallest one that
//! still disagrees.

use std::fmt::Write;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Literals of every kind: signed zeros, subnormals, huge, ordinary.
const LITERALS: &[&str] = &[
    "0.0", "-0.0", "1.0", "-1.0", "0.5", "-1.5", "3.0", "0.1", "2.5", "1e-40", "-1e-45", "1e38", "-3.4e38", "65504.0",
    "-2.5e-3", "8388608.5", "1.1754944e-38", "7.0",
];

struct Gen<'a> {
    rng: &'a mut Rng,
    names: Vec<String>,
    /// Earlier kernels: (name, parameter count).
    callees: &'a [(String, usize)],
    /// Every compound expression generated, innermost first.
    subs: Vec<String>,
}

impl Gen<'_> {
    fn lit(&mut self) -> String {
        self.rng.pick(LITERALS).to_owned()
    }

    fn value(&mut self, depth: usize) -> String {
        let v = self.any_value(depth);
        if v.contains('(') {
            self.subs.push(v.clone());
        }
        v
    }

    fn any_value(&mut self, depth: usize) -> String {
        if depth == 0 || self.rng.below(6) == 0 {
            return if self.rng.below(3) == 0 {
                self.lit()
            } else {
                let i = self.rng.below(self.names.len());
                self.names[i].clone()
            };
        }
        let d = depth - 1;
        match self.rng.below(26) {
            0 => format!("({} + {})", self.value(d), self.value(d)),
            1 => format!("({} - {})", self.value(d), self.value(d)),
            2 => format!("({} * {})", self.value(d), self.value(d)),
            3 => format!("({} / {})", self.value(d), self.value(d)),
            4 => format!("-{}", self.value(d)),
            5 if self.rng.below(7) == 0 => format!("exponent({})", self.normal(d)),
            5 => {
                let f = self.rng.pick(&["abs", "sqrt", "floor", "ceil", "round", "trunc"]);
                format!("{f}({})", self.value(d))
            }
            6 => {
                let f = self.rng.pick(&["min", "max"]);
                format!("{f}({}, {})", self.value(d), self.value(d))
            }
            // The sign and payload of a NaN are unspecified, and so is what
            // reads them: a NaN never reaches `copysign`'s sign or `bits`.
            // `exponent` and `mantissa` are defined for normal numbers only.
            7 if self.rng.below(2) == 0 => format!("copysign({}, {})", self.value(d), self.not_nan(d)),
            7 => format!("mantissa({})", self.normal(d)),
            20 => format!("clamp({}, {}, {})", self.value(d), self.value(d), self.value(d)),
            8 => format!("fma({}, {}, {})", self.value(d), self.value(d), self.value(d)),
            9 => format!("select({}, {}, {})", self.cond(d), self.value(d), self.value(d)),
            10 => format!(
                "if {} {{ {} }} else {{ {} }}",
                self.cond(d),
                self.value(d),
                self.value(d)
            ),
            11 => format!("rare({}, {}, {})", self.cond(d), self.value(d), self.value(d)),
            12 => {
                let n = 1 + self.rng.below(6);
                let cs: Vec<String> = (0..n).map(|_| self.lit()).collect();
                format!("poly({}, [{}])", self.value(d), cs.join(", "))
            }
            13 => {
                // In range, or any index below 2^31 for a power-of-two count
                // (taken modulo the count): `table` promises nothing else.
                let n = 1 + self.rng.below(40);
                let es: Vec<String> = (0..n).map(|_| self.lit()).collect();
                let index = if n.is_power_of_two() {
                    format!("clamp({}, -1e9, 1e9)", self.value(d))
                } else {
                    format!("clamp(abs({}), 0.0, {}.0)", self.value(d), n - 1)
                };
                format!("table({index}, [{}])", es.join(", "))
            }
            14 => format!("bits({}) * 1e-9", self.not_nan(d)),
            15 => {
                let k = self.value(d);
                format!(
                    "ldexp({}, select(isnan({k}), 0.0, round(clamp({k}, -300.0, 300.0))))",
                    self.value(d)
                )
            }
            16 => {
                let k = self.value(d);
                format!("pow2i(select(isnan({k}), 0.0, round(clamp({k}, -126.0, 127.0))))")
            }
            // Within the stated ranges of the exact error terms.
            17 => {
                let b = self.value(d);
                format!(
                    "mul_lo(clamp(abs({}), 1.0, 1e15), copysign(clamp(abs({b}), 1.0, 1e15), {b}))",
                    self.value(d)
                )
            }
            18 => format!(
                "add_lo(clamp({}, -1e37, 1e37), clamp({}, -1e37, 1e37))",
                self.value(d),
                self.value(d)
            ),
            19 if !self.callees.is_empty() => {
                let (name, arity) = self.callees[self.rng.below(self.callees.len())].clone();
                let args: Vec<String> = (0..arity).map(|_| self.value(d)).collect();
                format!("{name}({})", args.join(", "))
            }
            _ => self.any_value(d),
        }
    }

    fn not_nan(&mut self, depth: usize) -> String {
        let v = self.value(depth);
        format!("select(isnan({v}), 1.0, {v})")
    }

    /// A normal number: the value, or 1.0 where it is zero, subnormal, inf or NaN.
    fn normal(&mut self, depth: usize) -> String {
        let v = self.value(depth);
        format!("select(abs({v}) >= 1.1754944e-38 && abs({v}) <= 3.4028235e38, {v}, 1.0)")
    }

    fn cond(&mut self, depth: usize) -> String {
        match self.rng.below(7) {
            0 => format!("isnan({})", self.value(depth)),
            1 => format!(
                "({} && {})",
                self.cond(depth.saturating_sub(1)),
                self.cond(depth.saturating_sub(1))
            ),
            2 => format!(
                "({} || {})",
                self.cond(depth.saturating_sub(1)),
                self.cond(depth.saturating_sub(1))
            ),
            3 => format!("!({})", self.cond(depth.saturating_sub(1))),
            _ => {
                let op = self.rng.pick(&["<", "<=", ">", ">=", "==", "!="]);
                format!("({} {op} {})", self.value(depth), self.value(depth))
            }
        }
    }
}

fn main() {
    println!("cargo::rerun-if-env-changed=FUZZ_SEED");
    println!("cargo::rerun-if-env-changed=FUZZ_KERNELS");
    println!("cargo::rerun-if-env-changed=FUZZ_MINIMISE");
    let minimise = std::env::var("FUZZ_MINIMISE").unwrap_or_default();
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let count: usize = std::env::var("FUZZ_KERNELS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(120);
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut out = String::from("use simdwise_macros::kernel;\n\n");
    let mut callees: Vec<(String, usize)> = Vec::new();
    let mut sources = Vec::new();
    let mut parts = Vec::new();
    for k in 0..count {
        let streams = 1 + rng.below(3);
        let scalars = rng.below(5);
        let mut params: Vec<String> = (0..streams).map(|i| format!("x{i}: f32")).collect();
        params.extend((0..scalars).map(|i| format!("#[scalar] s{i}: f32")));
        let mut names: Vec<String> = (0..streams).map(|i| format!("x{i}")).collect();
        names.extend((0..scalars).map(|i| format!("s{i}")));
        let mut body = String::new();
        let mut g = Gen {
            rng: &mut rng,
            names,
            callees: &callees,
            subs: Vec::new(),
        };
        for l in 0..g.rng.below(4) {
            let v = g.value(3);
            let _ = writeln!(body, "    let l{l} = {v};");
            g.names.push(format!("l{l}"));
        }
        let result = g.value(4);
        let name = format!("fz{k}");
        let source = format!(
            "pub fn {name}({}) -> f32 {{\n{body}    {result}\n}}\n",
            params.join(", ")
        );
        let _ = write!(out, "#[kernel]\n{source}\n");
        if name == minimise {
            // The same parameters and bindings, each sub-expression as the
            // result; shortest first, duplicates once.
            let mut subs = g.subs.clone();
            subs.sort_by_key(|s| (s.len(), s.clone()));
            subs.dedup();
            for (i, sub) in subs.iter().enumerate() {
                let part = format!(
                    "pub fn {name}_m{i}({}) -> f32 {{\n{body}    {sub}\n}}\n",
                    params.join(", ")
                );
                let _ = write!(out, "#[kernel]\n{part}\n");
                parts.push((format!("{name}_m{i}"), part));
            }
        }
        sources.push((name.clone(), source));
        callees.push((name, streams + scalars));
    }
    out.push_str("/// Every generated kernel: its descriptor and its source without `#[kernel]`.\n");
    out.push_str("pub static KERNELS: &[(&simdwise_runtime::Kernel, &str)] = &[\n");
    for (name, source) in &sources {
        let _ = writeln!(out, "    (&{name}::KERNEL, {source:?}),");
    }
    out.push_str("];\n");
    out.push_str("/// With `FUZZ_MINIMISE`: that kernel's sub-expressions as kernels, shortest first.\n");
    out.push_str("pub static PARTS: &[(&simdwise_runtime::Kernel, &str)] = &[\n");
    for (name, source) in &parts {
        let _ = writeln!(out, "    (&{name}::KERNEL, {source:?}),");
    }
    out.push_str("];\n");
    let _ = writeln!(
        out,
        "/// The generator's settings, to rerun it.\npub const SEED: u64 = {seed};"
    );
    let _ = writeln!(out, "pub const COUNT: usize = {count};");
    let path = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("generated.rs");
    std::fs::write(path, out).unwrap();
}
