//! The WGSL leg of the differential fuzzer: every generated kernel's shader,
//! run through wgpu on whatever adapter exists (lavapipe on machines without
//! a GPU), against the interpreter of its IR, on the differential test's
//! finite inputs. WGSL leaves three things to the implementation, and all are
//! accepted, counted and reported: whether each `fma` is fused (a result must
//! match the interpreter with every `fma` fused or every one unfused, or, in
//! a kernel with `fma` or `poly`, where each one may go either way, be within
//! one ulp of one of those), flushing subnormals to zero
//! (a result may instead match the interpreter on inputs with subnormals read
//! as zero, or be a zero where the exact result is subnormal), and any value
//! where infinities or NaNs arise (WGSL lets an implementation assume they do
//! not: such results are not compared). Anything else must agree bit for bit.
//!
//! `cargo test -p simdwise-fuzz --features gpu --test gpu`; a machine without
//! an adapter reports every kernel as skipped, not passed.

mod common;

use common::{eval, inputs, programs};
use simdwise_fuzz::KERNELS;
use simdwise_runtime::Gpu;
use simdwise_testkit::{Rng, same_result};

fn main() {
    let gpu = match Gpu::new() {
        Ok(gpu) => gpu,
        Err(e) => {
            eprintln!(
                "\n*** NO GPU ADAPTER: {e}; SKIPPING the shaders of {} kernels\n",
                KERNELS.len()
            );
            println!("gpu differential: 0 passed, 0 failed, {} skipped", KERNELS.len());
            return;
        }
    };
    println!("adapter: {}", gpu.adapter());
    let programs = programs();
    // The CPU test's seed: the same inputs per kernel.
    let mut rng = Rng::new(0xf022);
    let (mut unfused, mut mixed, mut flushed, mut non_finite) = (0usize, 0usize, 0usize, 0usize);
    let mut failures = Vec::new();
    for (kernel, source) in KERNELS {
        let (mut streams, mut scalars) = inputs(kernel, &mut rng);
        for v in streams.iter_mut().flatten().chain(scalars.iter_mut()) {
            if !v.is_finite() {
                *v = 1.5;
            }
        }
        let refs: Vec<&[f32]> = streams.iter().map(Vec::as_slice).collect();
        let mut out = vec![0.0f32; streams[0].len()];
        if let Err(e) = gpu.run(kernel, &refs, &scalars, &mut out) {
            failures.push(format!("{}: the shader did not run: {e}\n{source}", kernel.name()));
            continue;
        }
        for (i, &got) in out.iter().enumerate() {
            let mut args: Vec<f32> = streams.iter().map(|s| s[i]).collect();
            args.extend(&scalars);
            let fused = eval(&programs, kernel.name(), &args, true);
            if same_result(got, fused) {
                continue;
            }
            if !fused.is_finite() {
                non_finite += 1;
                continue;
            }
            let plain = eval(&programs, kernel.name(), &args, false);
            if same_result(got, plain) {
                unfused += 1;
                continue;
            }
            let one_ulp = |want: f32| (got.to_bits() as i64 - want.to_bits() as i64).abs() <= 1;
            if (source.contains("fma(") || source.contains("poly(")) && (one_ulp(fused) || one_ulp(plain)) {
                mixed += 1;
                continue;
            }
            let zeroed: Vec<f32> = args
                .iter()
                .map(|&a| if a.is_subnormal() { 0.0 * a } else { a })
                .collect();
            let flush = [true, false]
                .iter()
                .any(|&f| same_result(got, eval(&programs, kernel.name(), &zeroed, f)))
                || (got == 0.0 && fused.is_subnormal());
            if flush {
                flushed += 1;
                continue;
            }
            failures.push(format!(
                "{} [wgsl] at {args:?}: {got:e} ({:#010x}), the interpreter says {fused:e} ({:#010x})\n{source}",
                kernel.name(),
                got.to_bits(),
                fused.to_bits()
            ));
            break;
        }
    }
    println!(
        "gpu differential: {} kernels, {} failed; accepted: {unfused} results with fma unfused, {mixed} with fma fused in part, {flushed} with subnormals flushed, {non_finite} non-finite",
        KERNELS.len(),
        failures.len()
    );
    if !failures.is_empty() {
        println!("{}", failures.join("\n"));
        std::process::exit(1);
    }
}
