//! The main job: what this CPU has, which variant each kernel dispatches to,
//! whether every variant is within its declared ULP bound of the exact result
//! (on inputs over each op's full range), and the time per element of each
//! variant on typical inputs (uniform on [-10, 10]; 10^[-3, 3] for log, sqrt
//! and reciprocal).
//!
//! `cargo run --release -p simdwise-benches --bin demo`

use std::time::Instant;

use simdwise::{Isa, runtime};
use simdwise_benches::{Distribution, call, cpu_model, inputs, inputs_from, median};
use simdwise_testkit::ulp_error;

/// Median seconds of one call over several timed batches.
fn time_call(mut f: impl FnMut()) -> f64 {
    f();
    let start = Instant::now();
    let mut reps = 0u32;
    while start.elapsed().as_secs_f64() < 0.02 {
        f();
        reps += 1;
    }
    let per_batch = reps.max(1);
    median(
        (0..7)
            .map(|_| {
                let t = Instant::now();
                for _ in 0..per_batch {
                    f();
                }
                t.elapsed().as_secs_f64() / f64::from(per_batch)
            })
            .collect(),
    )
}

fn main() -> Result<(), simdwise::KernelError> {
    let active = runtime::active_isa()?;
    println!("CPU:        {}", cpu_model());
    println!(
        "ISAs:       {}",
        Isa::ALL
            .iter()
            .map(|isa| format!("{}{}", isa.name(), if isa.is_available() { " yes" } else { " no" }))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!("dispatch:   {active} (set {} to force another)", runtime::ISA_ENV);
    println!(
        "threads:    {} (rayon), L2 {} KiB per core",
        rayon::current_num_threads(),
        runtime::l2_bytes() >> 10
    );
    let calibration = match &runtime::calibration::current().1 {
        runtime::calibration::Source::File(path) => format!("measured, from {}", path.display()),
        runtime::calibration::Source::Derived => {
            "derived defaults (run `cargo run --release -p simdwise-benches --bin calibrate` to measure)".to_owned()
        }
        runtime::calibration::Source::Unreadable(path, e) => {
            format!("derived defaults: {} could not be read ({e})", path.display())
        }
    };
    println!("calibration: {calibration}");
    println!();

    let check_n = 100_000;
    let sizes = [1_000usize, 100_000, 1_000_000];
    let mut failures = 0;
    println!(
        "{:<11} {:<9} {:>14} {:>11} {:>11} {:>11}",
        "kernel", "variant", "max error", "1K ns/el", "100K ns/el", "1M ns/el"
    );
    for kernel in simdwise::ALL {
        let check_in = inputs(kernel, check_n);
        let reference = simdwise::reference::of(kernel);
        let exact: Vec<f64> = (0..check_n)
            .map(|i| reference(&check_in.iter().map(|s| f64::from(s[i])).collect::<Vec<_>>()))
            .collect();

        let mut rows: Vec<Option<Isa>> = kernel.runnable_isas().map(Some).collect();
        rows.push(None);
        for isa in rows {
            let mut out = vec![0.0; check_n];
            call(kernel, isa, &check_in, &mut out)?;
            let worst = out
                .iter()
                .zip(&exact)
                .map(|(o, e)| ulp_error(*o, *e))
                .fold(0.0, f64::max);
            let ok = worst <= f64::from(kernel.max_ulp());
            failures += usize::from(!ok);
            let mut timings = Vec::new();
            for &n in &sizes {
                let data = inputs_from(kernel, n, Distribution::typical(kernel));
                let mut out = vec![0.0; n];
                let seconds = time_call(|| call(kernel, isa, &data, &mut out).expect("checked above"));
                timings.push(seconds * 1e9 / n as f64);
            }
            let label = match isa {
                Some(isa) => isa.name().to_owned(),
                None => format!("=> {active}"),
            };
            println!(
                "{:<11} {:<9} {:>8} {} {:>11.3} {:>11.3} {:>11.3}",
                kernel.name(),
                label,
                format!("{worst:.2} ulp"),
                if ok { "ok  " } else { "FAIL" },
                timings[0],
                timings[1],
                timings[2]
            );
        }
    }
    println!();
    if failures > 0 {
        println!("{failures} variant(s) exceed their kernel's declared ULP bound");
        std::process::exit(1);
    }
    println!("every variant is within its kernel's declared ULP bound on {check_n} inputs");
    Ok(())
}
