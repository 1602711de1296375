//! Every kernel's complete shader (called kernels' functions included) parses
//! and passes naga's validation.

use naga::valid::{Capabilities, ValidationFlags, Validator};

#[test]
fn every_shader_passes_naga_validation() {
    for kernel in simdwise::ALL {
        let source = kernel.wgsl_source();
        let module = naga::front::wgsl::parse_str(&source)
            .unwrap_or_else(|e| panic!("{}: {}\n{source}", kernel.name(), e.emit_to_string(&source)));
        Validator::new(ValidationFlags::all(), Capabilities::empty())
            .validate(&module)
            .unwrap_or_else(|e| panic!("{}: {}\n{source}", kernel.name(), e.emit_to_string(&source)));
        assert!(
            module.entry_points.iter().any(|e| e.name == "main"),
            "{}: no entry point",
            kernel.name()
        );
    }
}

#[test]
fn fused_shaders_include_each_callee_once() {
    let source = simdwise::gelu::KERNEL.wgsl_source();
    // gelu calls sigmoid_hi, sigmoid_lo and sigmoid_k, which all call exp_hi.
    assert_eq!(source.matches("fn k_exp_hi(").count(), 1);
    assert_eq!(source.matches("fn k_sigmoid_hi(").count(), 1);
    assert!(
        source.find("fn k_exp_hi(") < source.find("fn k_sigmoid_hi(")
            && source.find("fn k_sigmoid_hi(") < source.find("fn k_gelu(")
    );
}
