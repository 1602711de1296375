use simdwise_macros::kernel;

#[kernel]
pub fn double(x: f64) -> f32 {
    x * 2.0
}

fn main() {}
