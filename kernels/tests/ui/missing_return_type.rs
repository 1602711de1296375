use simdwise_macros::kernel;

#[kernel]
pub fn bad(x: f32) {
    x;
}

fn main() {}
