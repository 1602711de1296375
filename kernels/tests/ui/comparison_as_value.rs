use simdwise_macros::kernel;

#[kernel]
pub fn bad(x: f32) -> f32 {
    let positive = x > 0.0;
    positive * x
}

fn main() {}
