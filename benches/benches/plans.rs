//! Inline vs parallel vs parallel with streaming stores, per size, for a
//! memory-bound kernel (relu) and a compute-bound one (tanh), next to the
//! runtime's own choice. `cargo bench -p simdwise-benches --bench plans`.

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use simdwise::Isa;
use simdwise::runtime::{Plan, run_planned};
use simdwise_benches::inputs;

fn plans(c: &mut Criterion) {
    for kernel in [&simdwise::relu::KERNEL, &simdwise::tanh::KERNEL] {
        let mut group = c.benchmark_group(format!("plans/{}", kernel.name()));
        group
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_secs(1))
            .sample_size(15);
        for n in [10_000usize, 100_000, 1_000_000, 10_000_000] {
            let data = inputs(kernel, n);
            let slices: Vec<&[f32]> = data.iter().map(Vec::as_slice).collect();
            let mut out = vec![0.0f32; n];
            group.throughput(Throughput::Bytes((4 * (kernel.inputs().len() + 1) * n) as u64));
            let auto = ("auto", Plan::auto(kernel, n));
            for (name, plan) in Plan::choices(kernel, n).into_iter().chain([auto]) {
                group.bench_function(BenchmarkId::new(name, n), |b| {
                    b.iter(|| run_planned(kernel, Isa::best(), plan, &slices, &[], &mut out).expect("valid call"))
                });
            }
        }
        group.finish();
    }
}

criterion_group!(benches, plans);
criterion_main!(benches);
