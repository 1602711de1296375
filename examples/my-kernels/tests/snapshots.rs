//! The generated code of this crate's kernels, per target, as insta snapshots
//! in `snapshots/`: a change to the compiler shows up as a diff to review with
//! `cargo insta review`.

#[test]
fn generated_code() {
    let kernels = simdwise_codegen::generate_file(include_str!("../src/lib.rs")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(kernels.len(), 4);
    for kernel in kernels {
        insta::with_settings!({
            snapshot_path => "../snapshots",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            for (target, source) in &kernel.sources {
                insta::assert_snapshot!(format!("{}@{target}", kernel.name), source);
            }
        });
    }
}
