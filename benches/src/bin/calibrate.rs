//! Measures the machine constants behind the runtime's choices and writes
//! them where the runtime reads them on this machine (the per-CPU-model file in
//! the user cache, or `KERNELS_CALIBRATION`); from the next process on,
//! dispatched calls use them. It starts from the derived defaults, whatever a
//! file says, and takes about a minute.
//!
//! ```text
//! cargo run --release -p simdwise-benches --bin calibrate [-- --dry-run]
//! ```
//!
//! - NS_PER_BYTE: inline relu and add on L2-resident data, per byte moved.
//! - NS_PER_COST: inline time per element of every kernel with a real
//!   arithmetic load, divided by its IR cost; the median.
//! - PARALLEL_MIN_NS: for relu, tanh and gelu, the smallest size where the
//!   parallel plan beats inline, times the kernel's estimated ns per element;
//!   the median.
//! - STREAM_MIN_BYTES: just above the largest relu output (256K to 64M
//!   elements, parallel) where cached stores still beat streaming by 5%.
//! - AVX2_WINS: every kernel at 100, 1K, .. 10M elements (each standing for
//!   the sizes above the previous one), the runtime's plan with the AVX2 and
//!   the AVX-512 variant; size classes where AVX2 is 10% faster, merged.
//! - HELPER_SPIN_NS: how long a helper stays awake after a parallel call: five
//!   times the measured cost of waking a sleeping one (a parallel call after a
//!   pause, less the same call back to back), so calls closer together than
//!   that never wait for a wake-up, and an idle helper burns at most that much.

use std::time::{Duration, Instant};

use simdwise::reference::SCALAR_ARG;
use simdwise::runtime::calibration::calibration_path;
use simdwise::runtime::{Calibration, Plan, run_planned};
use simdwise::{Isa, Kernel};
use simdwise_benches::{Distribution, cpu_model, inputs_from, median};

/// Median ns of one call of `kernel` on `n` elements with `plan`.
fn time(kernel: &Kernel, isa: Isa, plan: Plan, n: usize, samples: usize) -> f64 {
    let data = inputs_from(kernel, n, Distribution::typical(kernel));
    let slices: Vec<&[f32]> = data.iter().map(Vec::as_slice).collect();
    let scalars: Vec<f32> = kernel.scalars().iter().map(|_| SCALAR_ARG).collect();
    let mut out = vec![0.0f32; n];
    let mut call = || run_planned(kernel, isa, plan, &slices, &scalars, &mut out).expect("valid call");
    // Warm up (caches, page faults, clock speed), and size the samples to >= 2 ms.
    let start = Instant::now();
    let mut calls = 0u32;
    while start.elapsed().as_millis() < 20 {
        call();
        calls += 1;
    }
    let per_call = start.elapsed().as_nanos() as f64 / f64::from(calls);
    let reps = ((2e6 / per_call) as usize).clamp(1, 100_000);
    median(
        (0..samples)
            .map(|_| {
                let t = Instant::now();
                for _ in 0..reps {
                    call();
                }
                t.elapsed().as_nanos() as f64 / reps as f64
            })
            .collect(),
    )
}

fn kernel(name: &str) -> &'static Kernel {
    simdwise::ALL
        .iter()
        .copied()
        .find(|k| k.name() == name)
        .expect("kernel exists")
}

fn main() {
    let dry_run = std::env::args().any(|a| a == "--dry-run");
    let isa = Isa::best();
    let n_l2 = 16_384;
    let bytes = |k: &Kernel| 4.0 * (k.inputs().len() + 1) as f64;

    let ns_per_byte = median(
        ["relu", "add"]
            .iter()
            .map(|name| {
                let k = kernel(name);
                time(k, isa, Plan::INLINE, n_l2, 21) / n_l2 as f64 / bytes(k)
            })
            .collect(),
    );
    println!("NS_PER_BYTE     = {ns_per_byte:.5} ns (inline relu/add, {n_l2} elements, {isa})");

    let ns_per_cost = median(
        simdwise::ALL
            .iter()
            .filter(|k| k.cost() >= 20)
            .map(|k| {
                let per_element = time(k, isa, Plan::INLINE, n_l2, 11) / n_l2 as f64;
                println!(
                    "    {:>10}: cost {:>3}, {per_element:.3} ns/element inline",
                    k.name(),
                    k.cost()
                );
                per_element / f64::from(k.cost())
            })
            .collect(),
    );
    println!("NS_PER_COST     = {ns_per_cost:.5} ns");

    let threads = rayon::current_num_threads();
    let estimate = |k: &Kernel| (bytes(k) * ns_per_byte).max(f64::from(k.cost()) * ns_per_cost);
    let parallel_min_ns = if threads < 2 {
        println!("PARALLEL_MIN_NS: one thread, nothing to measure; keeping the default");
        Calibration::DEFAULT.parallel_min_ns
    } else {
        median(
            ["relu", "tanh", "gelu"]
                .iter()
                .map(|name| {
                    let k = kernel(name);
                    let mut n = 2_048usize;
                    while n < 1 << 24 {
                        let inline = time(k, isa, Plan::INLINE, n, 15);
                        let parallel = time(k, isa, Plan::parallel(k, n, false), n, 15);
                        if parallel < inline * 0.95 {
                            break;
                        }
                        n = n * 3 / 2;
                    }
                    let ns = n as f64 * estimate(k);
                    println!(
                        "    {:>10}: parallel wins from {n} elements ({ns:.0} ns estimated inline)",
                        k.name()
                    );
                    ns
                })
                .collect(),
        )
    };
    println!("PARALLEL_MIN_NS = {parallel_min_ns:.0} ns ({threads} threads)");

    let relu = kernel("relu");
    // Cached stores are kept only up to the largest size where they still win
    // by 5%; from the next size up, streaming. Near the last-level cache's size
    // the two come close and the cliff moves with what else the machine does,
    // so a tie goes to streaming (it costs one memory stream, never two).
    let mut cached_won_at = 0usize;
    let mut n = 1usize << 18;
    while n <= 1 << 26 {
        let plan = |streaming| {
            if threads > 1 {
                Plan::parallel(relu, n, streaming)
            } else {
                Plan { chunk: None, streaming }
            }
        };
        let cached = time(relu, isa, plan(false), n, 9);
        let streamed = time(relu, isa, plan(true), n, 9);
        println!(
            "    relu {n:>9}: cached {:.3}, streaming {:.3} ns/element",
            cached / n as f64,
            streamed / n as f64
        );
        if cached < streamed * 0.95 {
            cached_won_at = n;
        }
        n *= 2;
    }
    // Just above the last cached win (at least 1 MiB: L2-resident outputs stay cached).
    let stream_min_bytes = (cached_won_at * 4 + 1).max(1 << 20);
    println!("STREAM_MIN_BYTES = {stream_min_bytes}");

    let helper_spin_ns = if threads < 2 {
        println!("HELPER_SPIN_NS: one thread, no helpers; keeping the default");
        Calibration::DEFAULT.helper_spin_ns
    } else {
        let n = 8_192;
        let plan = Plan::parallel(relu, n, false);
        let back_to_back = time(relu, isa, plan, n, 15);
        let data = inputs_from(relu, n, Distribution::typical(relu));
        let mut out = vec![0.0f32; n];
        let after_pause = median(
            (0..31)
                .map(|_| {
                    // Longer than any spin this writes, so the helpers are asleep.
                    std::thread::sleep(Duration::from_millis(3));
                    let t = Instant::now();
                    run_planned(relu, isa, plan, &[&data[0]], &[], &mut out).expect("valid call");
                    t.elapsed().as_nanos() as f64
                })
                .collect(),
        );
        let wake_ns = (after_pause - back_to_back).max(0.0);
        println!(
            "    wake-up: {wake_ns:.0} ns (parallel relu {n}: {after_pause:.0} ns after a pause, {back_to_back:.0} back to back)"
        );
        // The wake-up a VM shows varies from run to run (1-16 µs seen on one
        // machine); the floor keeps back-to-back calls covered on a quiet run.
        ((5.0 * wake_ns) as u64).clamp(50_000, 1_000_000)
    };
    println!("HELPER_SPIN_NS  = {helper_spin_ns}");

    let mut avx2_wins: Vec<(&str, usize, usize)> = Vec::new();
    if isa == Isa::Avx512 {
        let sizes = [100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];
        for &k in simdwise::ALL {
            for (i, &n) in sizes.iter().enumerate() {
                let plan = Plan::auto(k, n);
                let (avx2, avx512) = (time(k, Isa::Avx2, plan, n, 9), time(k, Isa::Avx512, plan, n, 9));
                if avx2 < 0.9 * avx512 {
                    println!("    {:>10} {n:>8}: avx2 {avx2:.0} ns, avx512 {avx512:.0} ns", k.name());
                    let lo = if i == 0 { 0 } else { sizes[i - 1] + 1 };
                    let hi = if i + 1 == sizes.len() { usize::MAX } else { n };
                    match avx2_wins.last_mut() {
                        Some((name, _, last)) if *name == k.name() && *last + 1 == lo => *last = hi,
                        _ => avx2_wins.push((k.name(), lo, hi)),
                    }
                }
            }
        }
    }
    println!("AVX2_WINS       = {avx2_wins:?}");
    let calibration = Calibration {
        ns_per_byte,
        ns_per_cost,
        parallel_min_ns,
        stream_min_bytes,
        helper_spin_ns,
        avx2_wins: avx2_wins
            .into_iter()
            .map(|(k, lo, hi)| (k.to_owned(), lo, hi))
            .collect(),
    };
    let text = format!(
        "# Measured by `cargo run --release -p simdwise-benches --bin calibrate` on {}, {threads} threads, \
         L2 {} KiB, best ISA {isa}.\n{}",
        cpu_model(),
        simdwise::runtime::l2_bytes() >> 10,
        calibration.to_text()
    );
    let Some(path) = calibration_path().filter(|_| !dry_run) else {
        print!("\n{text}");
        return;
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    }
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    println!("\nwrote {}; new processes on this machine use it", path.display());
}
