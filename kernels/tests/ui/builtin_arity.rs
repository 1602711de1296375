use simdwise_macros::kernel;

#[kernel]
pub fn bad(x: f32) -> f32 {
    fma(x, 2.0)
}

fn main() {}
