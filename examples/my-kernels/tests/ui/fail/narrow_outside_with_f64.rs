use simdwise_macros::kernel;

// WGSL has no f64: the shader needs an f32 formulation of the same value.
#[kernel]
pub fn cube(x: f32) -> f32 {
    let w = widen(x);
    narrow(w * w * w)
}

fn main() {}
