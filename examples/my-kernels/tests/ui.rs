//! What a newcomer writes, as the compiler answers it from a user's crate:
//! mistakes in `ui/fail` (the expected messages beside each, regenerated for
//! review with `TRYBUILD=overwrite`), and what works in `ui/pass`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
