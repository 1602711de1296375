//! The exhaustive check of this crate's one-input kernel: all 2^32 inputs
//! through every variant this CPU runs, against the f64 reference.
//!
//! `cargo run --release -p my-kernels --example sweep` (a minute or two per variant)

fn main() {
    let kernel = &my_kernels::leaky::KERNEL;
    let alpha = 0.01f32;
    let isas: Vec<_> = kernel.runnable_isas().collect();
    let stats = simdwise_testkit::sweep(kernel, &isas, &[alpha], |a| if a[0] > 0.0 { a[0] } else { a[1] * a[0] });
    let mut failed = false;
    for (isa, s) in isas.iter().zip(&stats) {
        let x = f32::from_bits(s.worst_input);
        println!(
            "{} [{isa}]: max {:.3} ulp at x = {x:e}; {} results > 0.5 ulp; {} NaN/inf/±0 mismatches; declared {}",
            kernel.name(),
            s.max_ulp,
            s.over_half,
            s.mismatches(),
            kernel.max_ulp()
        );
        failed |= !s.within(kernel);
    }
    if failed {
        eprintln!("a variant exceeds the declared bound");
        std::process::exit(1);
    }
}
