//! Criterion benches of any kernel: one call registers them all.

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput};
use simdwise_runtime::{Kernel, Plan, isa_for, run, run_planned, run_with_isa};

use crate::inputs::Rng;

/// Registers a criterion group named after the kernel with, at each size in
/// `sizes`: the dispatched call, every variant this CPU runs (with the
/// runtime's plan), and the dispatched variant with each plan (inline,
/// parallel, parallel with streaming stores). Inputs are uniform on [-10, 10];
/// `scalars` are the kernel's scalar parameters. Throughput is in elements.
///
/// ```no_run
/// # fn benches(c: &mut criterion::Criterion, kernel: &simdwise_runtime::Kernel) {
/// simdwise_testkit::bench_kernel(c, kernel, &[], &[1_000, 100_000, 1_000_000]);
/// # }
/// ```
pub fn bench_kernel(c: &mut Criterion, kernel: &Kernel, scalars: &[f32], sizes: &[usize]) {
    let mut group = c.benchmark_group(kernel.name());
    group
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(20);
    let mut rng = Rng::new(1);
    for &n in sizes {
        let data: Vec<Vec<f32>> = kernel.inputs().iter().map(|_| rng.vec(n, (-10.0, 10.0))).collect();
        let inputs: Vec<&[f32]> = data.iter().map(Vec::as_slice).collect();
        let mut out = vec![0.0f32; n];
        group.throughput(Throughput::Elements(n as u64));
        let mut bench = |name: String, f: &mut dyn FnMut(&mut [f32])| {
            group.bench_function(BenchmarkId::new(name, n), |b| b.iter(|| f(&mut out)));
        };
        bench("dispatched".into(), &mut |out| {
            run(kernel, &inputs, scalars, out).unwrap_or_else(|e| panic!("{e}"))
        });
        for isa in kernel.runnable_isas() {
            bench(isa.name().into(), &mut |out| {
                run_with_isa(kernel, isa, &inputs, scalars, out).unwrap_or_else(|e| panic!("{e}"))
            });
        }
        let isa = isa_for(kernel, n).unwrap_or_else(|e| panic!("{e}"));
        for (name, plan) in Plan::choices(kernel, n) {
            bench(format!("{isa}/{name}"), &mut |out| {
                run_planned(kernel, isa, plan, &inputs, scalars, out).unwrap_or_else(|e| panic!("{e}"))
            });
        }
    }
    group.finish();
}
