//! Malformed kernels are compile errors that point at the offending token and
//! say what the kernel language allows. Expected messages are the `.stderr`
//! files beside each case (`TRYBUILD=overwrite` regenerates them for review).

#[test]
fn malformed_kernels_are_rejected_with_spans() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}

/// Safe code cannot build a descriptor around an arbitrary function and have
/// the runtime call it: every way to do so fails to compile.
#[test]
fn safe_code_cannot_forge_a_kernel() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui_unsafe/*.rs");
}
