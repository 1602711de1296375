use simdwise_macros::kernel;

// `sin` is neither a builtin nor a kernel in scope.
#[kernel]
pub fn wave(x: f32) -> f32 {
    sin(x) * 0.5
}

fn main() {}
