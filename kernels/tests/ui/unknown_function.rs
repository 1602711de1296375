use simdwise_macros::kernel;

#[kernel]
pub fn bad(x: f32) -> f32 {
    sinh(x) * 2.0
}

fn main() {}
