use simdwise_macros::kernel;

#[kernel(max_error = 2)]
pub fn bad(x: f32) -> f32 {
    x
}

fn main() {}
