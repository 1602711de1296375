use simdwise_macros::kernel;

#[kernel]
pub fn bad(a: f32, b: f32, c: f32, d: f32) -> f32 {
    a + b + c + d
}

fn main() {}
