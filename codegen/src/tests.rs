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
