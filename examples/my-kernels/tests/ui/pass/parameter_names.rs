use simdwise_macros::kernel;

// Parameter names the generated code also uses for its own values.
#[kernel]
fn uses_generated_names(out: f32, isa: f32, #[scalar] len: f32) -> f32 {
    out * isa + len
}

fn main() {
    let mut result = [0.0];
    uses_generated_names(&[2.0], &[3.0], 1.0, &mut result).unwrap();
    assert_eq!(result, [7.0]);
    let isa = simdwise_runtime::Isa::Scalar;
    uses_generated_names::with_isa(isa, &[2.0], &[3.0], 1.0, &mut result).unwrap();
    assert_eq!(result, [7.0]);
}
