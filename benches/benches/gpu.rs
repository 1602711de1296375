//! The GPU path on resident buffers: upload, each kernel, a chain of four
//! calls in one submission and the same four fused into one shader, readback,
//! and relu, add and gelu on bf16 buffers, at 1M, 10M and 100M elements (fewer
//! with `GPU_BENCH_MAX=<n>`; lavapipe, the CPU driver CI has, is slow at
//! 100M). Throughput is bytes moved to or from device memory.
//! `cargo bench -p simdwise-benches --features gpu --bench gpu`.

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use simdwise::half::bf16;
use simdwise::runtime::{Format, Gpu, Operand};
use simdwise_benches::inputs;

fn gpu(c: &mut Criterion) {
    let gpu = match Gpu::new() {
        Ok(gpu) => gpu,
        Err(e) => {
            eprintln!("SKIPPED: no GPU adapter ({e})");
            return;
        }
    };
    eprintln!("adapter: {}", gpu.adapter());
    let max: usize = std::env::var("GPU_BENCH_MAX")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000_000);
    let mut group = c.benchmark_group("gpu");
    group
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_secs(2))
        .sample_size(10);
    for n in [1_000_000usize, 10_000_000, 100_000_000]
        .into_iter()
        .filter(|&n| n <= max)
    {
        let x = inputs(&simdwise::tanh::KERNEL, n).remove(0);
        let a = gpu.upload(&x).expect("upload");
        let b = gpu.upload(&x).expect("upload");
        let out = gpu.zeros(n).expect("buffer");
        let bytes = 4 * n as u64;
        group.throughput(Throughput::Bytes(bytes));
        group.bench_function(BenchmarkId::new("upload", n), |bench| {
            bench.iter(|| {
                let buf = gpu.upload(&x).expect("upload");
                gpu.finish().expect("finish");
                buf
            })
        });
        let mut host = vec![0.0f32; n];
        group.bench_function(BenchmarkId::new("readback", n), |bench| {
            bench.iter(|| gpu.read(&out, &mut host).expect("read"))
        });
        for kernel in simdwise::ALL {
            let binary = kernel.inputs().len() == 2;
            let ins = if binary { vec![&a, &b] } else { vec![&a] };
            let scalars: Vec<f32> = kernel.scalars().iter().map(|_| 0.5).collect();
            group.throughput(Throughput::Bytes(bytes * (ins.len() as u64 + 1)));
            group.bench_function(BenchmarkId::new(kernel.name(), n), |bench| {
                bench.iter(|| {
                    gpu.run_buffers(kernel, &ins, &scalars, &out).expect("run");
                    gpu.finish().expect("finish")
                })
            });
        }
        // bf16 buffers: half the bytes, converted in the shader.
        let halves: Vec<bf16> = x.iter().map(|&v| bf16::from_f32(v)).collect();
        group.throughput(Throughput::Bytes(2 * n as u64));
        group.bench_function(BenchmarkId::new("upload_bf16", n), |bench| {
            bench.iter(|| {
                let buf = gpu.upload(&halves).expect("upload");
                gpu.finish().expect("finish");
                buf
            })
        });
        let ha = gpu.upload(&halves).expect("upload");
        let hb = gpu.upload(&halves).expect("upload");
        let hout = gpu.zeros_of(Format::Bf16, n).expect("buffer");
        for kernel in [&simdwise::relu::KERNEL, &simdwise::add::KERNEL, &simdwise::gelu::KERNEL] {
            let ins = if kernel.inputs().len() == 2 {
                vec![&ha, &hb]
            } else {
                vec![&ha]
            };
            group.throughput(Throughput::Bytes(2 * n as u64 * (ins.len() as u64 + 1)));
            group.bench_function(BenchmarkId::new(format!("{}_bf16", kernel.name()), n), |bench| {
                bench.iter(|| {
                    gpu.run_buffers(kernel, &ins, &[], &hout).expect("run");
                    gpu.finish().expect("finish")
                })
            });
        }
        // relu(tanh(x * y + x)) as four calls, one submission.
        group.throughput(Throughput::Bytes(bytes * 10));
        group.bench_function(BenchmarkId::new("chain4", n), |bench| {
            bench.iter(|| {
                let mut chain = gpu.chain();
                chain
                    .run(&simdwise::mul::KERNEL, &[&a, &b], &[], &out)
                    .and_then(|c| c.run(&simdwise::add::KERNEL, &[&out, &a], &[], &out))
                    .and_then(|c| c.run(&simdwise::tanh::KERNEL, &[&out], &[], &out))
                    .and_then(|c| c.run(&simdwise::relu::KERNEL, &[&out], &[], &out))
                    .expect("chain");
                chain.submit().expect("submit");
                gpu.finish().expect("finish")
            })
        });
        // The same four as one shader: one pass over memory.
        let fused = gpu
            .fuse(&[
                (&simdwise::mul::KERNEL, &[Operand::Input(0), Operand::Input(1)]),
                (&simdwise::add::KERNEL, &[Operand::Prev, Operand::Input(0)]),
                (&simdwise::tanh::KERNEL, &[Operand::Prev]),
                (&simdwise::relu::KERNEL, &[Operand::Prev]),
            ])
            .expect("fuse");
        group.throughput(Throughput::Bytes(bytes * 3));
        group.bench_function(BenchmarkId::new("fused4", n), |bench| {
            bench.iter(|| {
                let mut chain = gpu.chain();
                chain.run_fused(&fused, &[&a, &b], &[], &out).expect("fused");
                chain.submit().expect("submit");
                gpu.finish().expect("finish")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, gpu);
criterion_main!(benches);
