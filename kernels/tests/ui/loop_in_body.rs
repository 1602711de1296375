use simdwise_macros::kernel;

#[kernel]
pub fn bad(x: f32) -> f32 {
    let y = for i in 0..3 { x };
    y
}

fn main() {}
