use simdwise_macros::kernel;

#[kernel]
pub fn double(x: f64) -> f64 {
    x * 2.0
}

fn main() {}
