//! One group per kernel: every generated variant this CPU can run and the
//! dispatched call, at 100 to 1M elements. `cargo bench -p simdwise-benches`.

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use simdwise::Isa;
use simdwise_benches::{call, inputs};

fn variants(c: &mut Criterion) {
    for kernel in simdwise::ALL {
        let mut group = c.benchmark_group(kernel.name());
        group
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_millis(800))
            .sample_size(20);
        for n in [100usize, 1_000, 10_000, 100_000, 1_000_000] {
            let data = inputs(kernel, n);
            let mut out = vec![0.0f32; n];
            group.throughput(Throughput::Elements(n as u64));
            let mut rows: Vec<Option<Isa>> = kernel.runnable_isas().map(Some).collect();
            rows.push(None);
            for isa in rows {
                let name = isa.map_or("dispatched", Isa::name);
                group.bench_with_input(BenchmarkId::new(name, n), &data, |b, data| {
                    b.iter(|| call(kernel, isa, data, &mut out).expect("valid call"))
                });
            }
        }
        group.finish();
    }
}

criterion_group!(benches, variants);
criterion_main!(benches);
