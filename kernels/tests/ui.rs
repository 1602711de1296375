//! Malformed kernels are compile errors that point at the offending token and
//! say what the kernel language allows. Expected messages are the `.stderr`
//! files beside each case (`TRYBUILD=overwrite` regenerates them for review).

#[test]
fn malformed_kernels_are_rejected_with_spans() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
