use simdwise_macros::kernel;

#[kernel]
pub fn bad(x: f32) -> f32 {
    x.abs()
}

fn main() {}
