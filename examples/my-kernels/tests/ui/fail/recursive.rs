use simdwise_macros::kernel;

#[kernel]
pub fn forever(x: f32) -> f32 {
    forever(x * 0.5)
}

fn main() {}
