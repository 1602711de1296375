//! Every kernel of this crate across its variants and the runtime's plans (one
//! line each, with the testkit), and fusion measured: the fused kernel against
//! the same computation as separate library calls.
//!
//! `cargo bench -p my-kernels`; `cargo bench -p my-kernels -- fusion` for the
//! fusion groups alone.

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use simdwise_testkit::{Rng, bench_kernel};

const SIZES: [usize; 3] = [100_000, 1_000_000, 10_000_000];

fn variants(c: &mut Criterion) {
    bench_kernel(c, &my_kernels::bias_gelu::KERNEL, &[], &SIZES);
    bench_kernel(c, &my_kernels::swiglu::KERNEL, &[], &SIZES);
    bench_kernel(c, &my_kernels::leaky::KERNEL, &[0.01], &SIZES);
    bench_kernel(c, &my_kernels::affine_relu::KERNEL, &[], &SIZES);
}

fn fusion(c: &mut Criterion) {
    let mut group = c.benchmark_group("fusion");
    group
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20);
    let mut rng = Rng::new(7);
    for n in SIZES {
        let [x, a, b] = [0; 3].map(|_| rng.vec(n, (-3.0, 3.0)));
        let mut out = vec![0.0f32; n];
        let mut tmp = vec![0.0f32; n];
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(BenchmarkId::new("bias_gelu fused", n), |bench| {
            bench.iter(|| my_kernels::bias_gelu(&x, &b, &mut out).unwrap())
        });
        group.bench_function(BenchmarkId::new("bias_gelu as add, gelu", n), |bench| {
            bench.iter(|| {
                simdwise::add(&x, &b, &mut tmp).unwrap();
                simdwise::gelu(&tmp, &mut out).unwrap();
            })
        });
        group.bench_function(BenchmarkId::new("affine_relu fused", n), |bench| {
            bench.iter(|| my_kernels::affine_relu(&x, &a, &b, &mut out).unwrap())
        });
        group.bench_function(BenchmarkId::new("affine_relu as mul, add, relu", n), |bench| {
            bench.iter(|| {
                simdwise::mul(&x, &a, &mut tmp).unwrap();
                simdwise::add::in_place(&mut tmp, &b).unwrap();
                simdwise::relu(&tmp, &mut out).unwrap();
            })
        });
    }
    group.finish();
}

criterion_group!(benches, variants, fusion);
criterion_main!(benches);
