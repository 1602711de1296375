//! Unit tests of the expansion: snapshots of the generated code of every kernel
//! of the `simdwise` crate for every target (reviewed with `cargo insta review`),
//! and malformed input that must become an error, never a panic.

/// The project's snapshots go through the same public path a user's do.
#[test]
fn generated_code_snapshots() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../kernels/src");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let mut count = 0;
    for path in files {
        let source = std::fs::read_to_string(&path).unwrap();
        for kernel in crate::generate_file(&source).unwrap_or_else(|e| panic!("{}: {e}", path.display())) {
            insta::with_settings!({
                snapshot_path => "../../snapshots",
                prepend_module_to_snapshot => false,
                omit_expression => true,
            }, {
                for (target, source) in &kernel.sources {
                    insta::assert_snapshot!(format!("{}@{target}", kernel.name), source);
                }
            });
            count += 1;
        }
    }
    assert!(count >= 9, "found only {count} kernels");
}

#[test]
fn malformed_input_is_an_error_not_a_panic() {
    let cases: &[(&str, &str)] = &[
        ("", "fn f(x: f32) -> f32 { }"),
        ("", "fn f() -> f32 { 1.0 }"),
        ("", "fn f(x: f32) -> f32 { x; }"),
        ("", "fn f(x: f32) -> f32 { poly(x, []) }"),
        ("", "fn f(x: f32) -> f32 { poly(x) }"),
        ("", "fn f(x: f32) -> f32 { poly(x, 1.0) }"),
        ("", "fn f(x: f32) -> f32 { select(x, x, x) }"),
        ("", "fn f(x: f32) -> f32 { x < 1.0 }"),
        ("", "fn f(x: f32) -> f32 { if x < 1.0 { x } }"),
        ("", "fn f(x: f32) -> f32 { x % 2.0 }"),
        ("", "fn f(x: f32) -> f32 { 1e39 }"),
        ("", "fn f(x: f32) -> f32 { 1.0f64 }"),
        ("", "fn f(x: f32) -> f32 { \"s\" }"),
        ("", "fn f(mut x: f32) -> f32 { x }"),
        ("", "fn f<T>(x: f32) -> f32 { x }"),
        ("", "async fn f(x: f32) -> f32 { x }"),
        ("", "fn f(#[other] x: f32) -> f32 { x }"),
        (
            "",
            "fn f(x: f32, #[scalar] a: f32, #[scalar] b: f32, #[scalar] c: f32, #[scalar] d: f32, #[scalar] e: f32) -> f32 { x }",
        ),
        ("", "fn f(#[scalar] a: f32) -> f32 { a }"),
        ("", "fn f(x: f32) -> f32 { let (a, b) = x; a }"),
        ("", "fn f(x: f32) -> f32 { let a; x }"),
        ("", "fn f(x: f32) -> f32 { return x; }"),
        ("", "fn f(x: f32) -> f32 { x as f32 }"),
        ("", "fn f(x: f32) -> f32 { println!(\"\"); x }"),
        ("", "fn f(x: f32) -> f32 { fn g() {} x }"),
        ("", "fn f(x: f32) -> f32 { (|| x)() }"),
        ("", "fn f(x: f32) -> f32 { !x }"),
        ("", "fn f(x: f32) -> f32 { *x }"),
        ("max_ulp = -1", "fn f(x: f32) -> f32 { x }"),
        ("max_ulp = \"one\"", "fn f(x: f32) -> f32 { x }"),
        ("max_ulp", "fn f(x: f32) -> f32 { x }"),
        ("", "struct S;"),
        ("", "fn f(x: f32) -> f32"),
        // f64 lanes: precisions do not mix, and the shader needs an f32 form.
        (
            "",
            "fn f(x: f32) -> f32 { let w = widen(x); with_f64(narrow(w + x), x) }",
        ),
        ("", "fn f(x: f32) -> f32 { let w = widen(x); with_f64(narrow(w), w) }"),
        ("", "fn f(x: f32) -> f32 { narrow(widen(x)) }"),
        ("", "fn f(x: f32) -> f32 { widen(x) }"),
        (
            "",
            "fn f(x: f32) -> f32 { let w = widen(x); with_f64(narrow(select(w < 1.0, w, w)), x) }",
        ),
        ("", "fn f(x: f32) -> f32 { with_f64(narrow(sqrt(widen(x))), x) }"),
        (
            "",
            "fn f(x: f32) -> f32 { with_f64(narrow(table(widen(x), [1.0])), x) }",
        ),
        ("", "fn f(w: f64) -> f64 { narrow(w) }"),
        ("", "fn f(w: f64, x: f32) -> f64 { w }"),
        ("", "fn f(w: f64, #[scalar] a: f64) -> f64 { w }"),
        ("", "fn f(x: f32) -> f32 { let y: f64 = x; y }"),
    ];
    for (attr, item) in cases {
        let attr: proc_macro2::TokenStream = attr.parse().unwrap();
        let item: proc_macro2::TokenStream = item.parse().unwrap();
        let text = item.to_string();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| crate::expand(attr, item).to_string()));
        let expanded = result.unwrap_or_else(|_| panic!("panicked on `{text}`"));
        assert!(expanded.contains("compile_error"), "`{text}` was accepted: {expanded}");
    }
}

/// f64 lanes: literals take the precision of the values they meet (here 0.1
/// as the double nearest 1/10, not the float), `poly` in f64 is Estrin's
/// scheme, and the shader never sees the first argument of `with_f64`.
#[test]
fn f64_lanes_lower_per_target() {
    let source = r#"
        #[kernel]
        pub fn tenth_poly(x: f32) -> f32 {
            let w = widen(x);
            with_f64(narrow(poly(w * 0.1, [1.0, 2.0, 3.0, 4.0])), x * 0.1)
        }
    "#;
    let kernel = &crate::generate_file(source).unwrap()[0];
    let avx2 = kernel.target("avx2").unwrap();
    assert!(avx2.contains("_mm256_set1_pd(0.1f64)"), "{avx2}");
    assert!(
        avx2.contains("_mm256_cvtps_pd") && avx2.contains("_mm256_cvtpd_ps"),
        "{avx2}"
    );
    // Estrin for 4 coefficients: (c0 + c1 y) + y^2 (c2 + c3 y), one square.
    assert_eq!(avx2.matches("_mm256_fmadd_pd").count(), 2 * 3, "{avx2}");
    assert_eq!(avx2.matches("_mm256_mul_pd").count(), 2 * 2, "{avx2}");
    let scalar = kernel.target("scalar").unwrap();
    assert!(scalar.contains("as f64") && scalar.contains("as f32"), "{scalar}");
    let wgsl = kernel.target("wgsl").unwrap();
    assert!(!wgsl.contains("f64") && wgsl.contains("0.1f"), "{wgsl}");
}

/// `with_fma` gives each target one side: the fused one where `fma` rounds
/// once (AVX2, AVX-512, NEON), the other on SSE2, scalar code and WGSL, and
/// the interpreter follows its `fused` flag; `recip` is the target's estimate.
#[test]
fn with_fma_and_recip_lower_per_target() {
    let source = r#"
        #[kernel]
        pub fn rem(x: f32) -> f32 {
            with_fma(recip(x + 7.0), x - 5.0)
        }
    "#;
    let kernel = &crate::generate_file(source).unwrap()[0];
    for (target, estimate) in [
        ("avx512", Some("_mm512_rcp14_ps")),
        ("avx2", Some("_mm256_rcp_ps")),
        ("neon", Some("vrecpeq_f32")),
        ("sse2", None),
        ("scalar", None),
        ("wgsl", None),
    ] {
        let code = kernel.target(target).unwrap();
        let fused = code.contains("7f32") || code.contains("7.0f");
        let other = code.contains("5f32") || code.contains("5.0f");
        assert_eq!(
            (fused, other),
            (estimate.is_some(), estimate.is_none()),
            "{target}: {code}"
        );
        if let Some(estimate) = estimate {
            assert!(code.contains(estimate), "{target}: {code}");
        }
    }
    let item = "pub fn rem(x: f32) -> f32 { with_fma(recip(x + 7.0), x - 5.0) }";
    let program = crate::Program::parse(proc_macro2::TokenStream::new(), item.parse().unwrap()).unwrap();
    let no_call = |_: &str, _: &[f32]| unreachable!();
    let cpu = crate::Semantics::cpu;
    assert_eq!(program.eval(&[1.0], cpu(true), &no_call), 0.125);
    assert_eq!(program.eval(&[1.0], cpu(false), &no_call), -4.0);
    let gpu = crate::Semantics {
        fused: true,
        gpu: true,
        flush_subnormals: true,
    };
    assert_eq!(
        program.eval(&[1.0], gpu, &no_call),
        -4.0,
        "the shader takes the second value"
    );
}

/// The interpreter standing in for a shader: `with_f64`'s fallback, and
/// subnormals flushed where asked.
#[test]
fn interpreter_follows_the_shader_semantics() {
    let item = "pub fn k(x: f32) -> f32 { with_f64(narrow(widen(x) * 2.0), x * 0.5) }";
    let program = crate::Program::parse(proc_macro2::TokenStream::new(), item.parse().unwrap()).unwrap();
    let no_call = |_: &str, _: &[f32]| unreachable!();
    let mut gpu = crate::Semantics {
        fused: false,
        gpu: true,
        flush_subnormals: false,
    };
    let tiny = f32::MIN_POSITIVE;
    assert_eq!(program.eval(&[tiny], gpu, &no_call), tiny / 2.0);
    gpu.flush_subnormals = true;
    assert_eq!(program.eval(&[-tiny], gpu, &no_call).to_bits(), (-0f32).to_bits());
}

/// An f64 helper has `eval` per CPU target and nothing else: no slice API,
/// descriptor or shader.
#[test]
fn f64_helper_is_only_eval() {
    let source = "#[kernel] pub fn sq(w: f64) -> f64 { w * w }";
    let helper = &crate::generate_file(source).unwrap()[0];
    assert!(helper.target("wgsl").is_none());
    let api = helper.target("api").unwrap();
    assert!(!api.contains("KERNEL") && api.contains("COST"), "{api}");
    let avx512 = helper.target("avx512").unwrap();
    assert!(
        avx512.contains("eval(w: (__m512d, __m512d)) -> (__m512d, __m512d)"),
        "{avx512}"
    );
    assert!(!avx512.contains("fn run"), "{avx512}");
}

/// Names the generated code defines are refused with a sentence naming them;
/// `out`, `isa` and the like are hygienic (see my-kernels' `ui/pass`).
#[test]
fn generated_names_are_refused_by_name() {
    let params = crate::emit::ITEMS
        .iter()
        .map(|&n| (n.to_owned(), format!("fn k(x: f32, {n}: f32) -> f32 {{ x }}")));
    let kernels = crate::lower::targets()
        .iter()
        .map(|t| (t.name().to_owned(), format!("fn {}(x: f32) -> f32 {{ x }}", t.name())))
        .collect::<Vec<_>>();
    for (name, item) in params.chain(kernels) {
        let err = crate::generate(proc_macro2::TokenStream::new(), item.parse().unwrap())
            .err()
            .unwrap_or_else(|| panic!("`{item}` was accepted"));
        assert!(err.to_string().contains(&format!("`{name}`")), "`{item}`: {err}");
    }
}

/// The macro never panics: the project's kernels with their tokens deleted,
/// duplicated, swapped or replaced at random; every result is either an error
/// (a `compile_error!`) or code that parses. `MACRO_FUZZ_ITERATIONS` sets the
/// budget (default 2000).
#[test]
fn mutated_kernels_never_panic_the_macro() {
    let iterations: usize = std::env::var("MACRO_FUZZ_ITERATIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../kernels/src");
    let mut items: Vec<(proc_macro2::TokenStream, Vec<String>)> = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let file = syn::parse_file(&std::fs::read_to_string(entry.unwrap().path()).unwrap()).unwrap();
        let mut found = Vec::new();
        crate::collect(file.items, &mut found);
        for (attr, item) in found {
            let tokens = quote::ToTokens::to_token_stream(&item).to_string();
            items.push((attr, tokens.split(' ').map(str::to_owned).collect()));
        }
    }
    let pool: Vec<String> = items.iter().flat_map(|(_, t)| t.iter().cloned()).collect();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let (mut rejected, mut accepted) = (0, 0);
    for _ in 0..iterations {
        let (attr, tokens) = &items[next(items.len())];
        let mut tokens = tokens.clone();
        for _ in 0..1 + next(3) {
            let i = next(tokens.len());
            match next(4) {
                0 => {
                    tokens.remove(i);
                }
                1 => tokens.insert(i, tokens[i].clone()),
                2 => {
                    let j = (i + 1).min(tokens.len() - 1);
                    tokens.swap(i, j);
                }
                _ => tokens[i] = pool[next(pool.len())].clone(),
            }
        }
        let text = tokens.join(" ");
        // Unbalanced delimiters are rustc's to report, before any macro runs.
        let Ok(item) = text.parse::<proc_macro2::TokenStream>() else {
            continue;
        };
        let expanded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| crate::expand(attr.clone(), item)))
            .unwrap_or_else(|_| panic!("the macro panicked on:\n{text}"));
        let out = expanded.to_string();
        if out.contains("compile_error") {
            rejected += 1;
        } else {
            syn::parse2::<syn::File>(expanded).unwrap_or_else(|e| panic!("unparsable expansion ({e}) of:\n{text}"));
            accepted += 1;
        }
    }
    println!("{iterations} mutants: {rejected} rejected with an error, {accepted} accepted");
    assert!(rejected > 0 && accepted > 0);
}
