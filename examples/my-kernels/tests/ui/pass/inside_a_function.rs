use simdwise_macros::kernel;

fn main() {
    // A kernel is an item like any other: it may live in a function body.
    #[kernel]
    fn local(x: f32) -> f32 {
        x + 1.0
    }
    let mut out = [0.0];
    local(&[1.0], &mut out).unwrap();
    assert_eq!(out, [2.0]);
}
