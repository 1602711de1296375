use simdwise_macros::kernel;

#[kernel]
pub fn bad(x: f64) -> f32 {
    x
}

fn main() {}
