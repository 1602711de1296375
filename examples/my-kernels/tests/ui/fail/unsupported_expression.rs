use simdwise_macros::kernel;

#[kernel]
pub fn wrap(x: f32) -> f32 {
    x % 1.0
}

fn main() {}
