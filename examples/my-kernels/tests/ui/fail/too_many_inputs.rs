use simdwise_macros::kernel;

// A kernel streams 1 to 3 inputs; constants over the call are `#[scalar]`.
#[kernel]
pub fn mix(a: f32, b: f32, c: f32, d: f32) -> f32 {
    a * b + c * d
}

fn main() {}
