use simdwise_macros::kernel;

// One mistake, one error: the callers below see the signatures the kernel
// would have had, and report nothing of their own.
#[kernel]
pub fn bad(x: f32, #[scalar] k: f32) -> f32 {
    x % k
}

fn main() {
    let mut out = [0.0f32; 2];
    bad(&[1.0, 2.0], 3.0, &mut out).unwrap();
    bad::in_place(&mut out, 3.0).unwrap();
    let _ = bad::scalar(1.0, 2.0);
}
