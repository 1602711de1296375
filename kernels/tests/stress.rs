//! Many callers at once: plain threads, tasks of the global rayon pool (more
//! tasks than threads, so the pool is saturated), a user's own pool, in place
//! and out of place, at sizes from 1 to past the parallel threshold. Every
//! output must equal the same call run inline on one thread (NaN as NaN); a
//! watchdog aborts the run with a message instead of letting a deadlock hang
//! CI. Then the CPU time idle helpers burn after a parallel call is measured
//! and bounded.

use std::sync::mpsc;
use std::time::Duration;

use rayon::prelude::*;
use simdwise::runtime::{Plan, run_planned};
use simdwise::{Isa, Kernel};
use simdwise_testkit::same_result;

const SIZES: [usize; 6] = [1, 7, 100, 1000, 65_537, 300_001];

/// The two tests measure the process's CPU time: they run one at a time.
static ALONE: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn kernels() -> [&'static Kernel; 4] {
    [
        &simdwise::tanh::KERNEL,
        &simdwise::add::KERNEL,
        &simdwise::gelu::KERNEL,
        &simdwise::leaky_relu::KERNEL,
    ]
}

struct Call {
    kernel: &'static Kernel,
    inputs: Vec<Vec<f32>>,
    scalars: Vec<f32>,
    expected: Vec<f32>,
}

fn calls() -> Vec<Call> {
    let mut calls = Vec::new();
    for kernel in kernels() {
        for (s, &n) in SIZES.iter().enumerate() {
            let inputs: Vec<Vec<f32>> = (0..kernel.inputs().len())
                .map(|i| {
                    (0..n)
                        .map(|j| ((j * 7 + i * 13 + s) % 2001) as f32 / 100.0 - 10.0)
                        .collect()
                })
                .collect();
            let scalars = vec![0.2; kernel.scalars().len()];
            let refs: Vec<&[f32]> = inputs.iter().map(Vec::as_slice).collect();
            let mut expected = vec![0.0; n];
            run_planned(kernel, Isa::best(), Plan::INLINE, &refs, &scalars, &mut expected).unwrap();
            calls.push(Call {
                kernel,
                inputs,
                scalars,
                expected,
            });
        }
    }
    calls
}

/// One call, out of place and in place, checked.
fn check(call: &Call) {
    let refs: Vec<&[f32]> = call.inputs.iter().map(Vec::as_slice).collect();
    let mut out = vec![0.0; call.expected.len()];
    simdwise::runtime::run(call.kernel, &refs, &call.scalars, &mut out).unwrap();
    let same = |a: &[f32]| a.iter().zip(&call.expected).all(|(&x, &y)| same_result(x, y));
    assert!(same(&out), "{} n={} out of place", call.kernel.name(), out.len());
    let mut io = call.inputs[0].clone();
    simdwise::runtime::run_in_place(call.kernel, &mut io, &refs[1..], &call.scalars).unwrap();
    assert!(same(&io), "{} n={} in place", call.kernel.name(), io.len());
}

/// Aborts the process if `work` does not finish within `limit`.
fn with_watchdog(limit: Duration, what: &str, work: impl FnOnce()) {
    let (done, finished) = mpsc::channel::<()>();
    let what = what.to_owned();
    let dog = std::thread::spawn(move || {
        if finished.recv_timeout(limit).is_err() {
            eprintln!("WATCHDOG: `{what}` did not finish within {limit:?}: a deadlock or livelock");
            std::process::abort();
        }
    });
    work();
    done.send(()).unwrap();
    dog.join().unwrap();
}

#[test]
fn many_callers_everywhere_get_the_inline_results() {
    let _alone = ALONE.lock().unwrap_or_else(|e| e.into_inner());
    let calls = calls();
    with_watchdog(Duration::from_secs(300), "the stress run", || {
        let own_pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
        std::thread::scope(|s| {
            for t in 0..6 {
                let calls = &calls;
                s.spawn(move || {
                    for round in 0..3 {
                        for call in calls.iter().skip((t + round) % 3).step_by(2) {
                            check(call);
                        }
                    }
                });
            }
            // The global pool saturated with tasks that call kernels.
            s.spawn(|| (0..64).into_par_iter().for_each(|i| check(&calls[i % calls.len()])));
            // A user's own pool, itself calling from its tasks.
            s.spawn(|| own_pool.install(|| calls.par_iter().for_each(check)));
        });
    });
}

/// Process CPU time in seconds (user + system), from /proc.
#[cfg(target_os = "linux")]
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    // Fields after the command name (which may hold spaces): utime is the 12th, stime the 13th.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    ticks / 100.0
}

/// After a parallel call, helpers stay awake for the calibrated spin time
/// (tens of microseconds) and then sleep: over 300 ms of idleness the whole
/// process burns far less than a core.
#[cfg(target_os = "linux")]
#[test]
fn idle_helpers_stop_burning_cpu() {
    let _alone = ALONE.lock().unwrap_or_else(|e| e.into_inner());
    let n = 1 << 21;
    let x: Vec<f32> = (0..n).map(|i| (i % 1000) as f32 / 100.0).collect();
    let mut out = vec![0.0; n];
    let mut burned = Vec::new();
    for _ in 0..5 {
        simdwise::tanh(&x, &mut out).unwrap();
        let before = cpu_seconds();
        std::thread::sleep(Duration::from_millis(300));
        burned.push(cpu_seconds() - before);
    }
    let worst = burned.iter().cloned().fold(0.0, f64::max);
    println!("CPU burned in 300 ms idle after a parallel call: {burned:?} s");
    // Clock ticks are 10 ms: up to two ticks of noise, against 300 ms per spinning helper.
    assert!(worst <= 0.05, "idle helpers burned {worst} s of CPU in 300 ms");
}
