//! The exhaustive check: every one of the 2^32 f32 inputs through variants of
//! a one-input kernel, against its f64 reference, on every core.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use simdwise_runtime::{Isa, Kernel, run_with_isa};

use crate::ulp_error;

/// Inputs per work item: small enough to stay inline (no nested parallelism).
const BLOCK: u64 = 1 << 14;
const TOTAL: u64 = 1 << 32;

/// What a sweep of one variant found.
#[derive(Clone, Copy, Debug, Default)]
pub struct SweepStats {
    /// The largest error in ulp over every input with a finite error.
    pub max_ulp: f64,
    /// The bit pattern of the input where `max_ulp` occurred.
    pub worst_input: u32,
    /// Results not correctly rounded.
    pub over_half: u64,
    pub nan_mismatch: u64,
    pub inf_mismatch: u64,
    pub zero_sign_mismatch: u64,
}

impl SweepStats {
    fn record(&mut self, x: f32, got: f32, want: f64) {
        let err = ulp_error(got, want);
        if got.is_nan() != want.is_nan() {
            self.nan_mismatch += 1;
        } else if (want as f32).is_infinite() != got.is_infinite() || (got.is_infinite() && err > 0.0) {
            self.inf_mismatch += 1;
        } else if got == 0.0 && want == 0.0 && got.is_sign_negative() != want.is_sign_negative() {
            self.zero_sign_mismatch += 1;
        }
        if err.is_finite() {
            if err > 0.5 {
                self.over_half += 1;
            }
            if err > self.max_ulp {
                self.max_ulp = err;
                self.worst_input = x.to_bits();
            }
        }
    }

    fn merge(mut self, other: SweepStats) -> SweepStats {
        if other.max_ulp > self.max_ulp {
            self.max_ulp = other.max_ulp;
            self.worst_input = other.worst_input;
        }
        self.over_half += other.over_half;
        self.nan_mismatch += other.nan_mismatch;
        self.inf_mismatch += other.inf_mismatch;
        self.zero_sign_mismatch += other.zero_sign_mismatch;
        self
    }

    /// NaN, infinity and sign-of-zero results that differ from the reference's.
    pub fn mismatches(&self) -> u64 {
        self.nan_mismatch + self.inf_mismatch + self.zero_sign_mismatch
    }

    /// Whether the variant meets `kernel`'s declared bound with no mismatch.
    pub fn within(&self, kernel: &Kernel) -> bool {
        self.max_ulp <= f64::from(kernel.max_ulp()) && self.mismatches() == 0
    }
}

/// Runs all 2^32 inputs through each of `isas` (which this CPU must run) of a
/// kernel with one streaming input, with `scalars` for its scalar parameters,
/// against `reference` (the input, then the scalars, in f64), on rayon's
/// threads, with a progress bar on stderr. Minutes per variant.
///
/// # Panics
/// If the kernel has other than one streaming input, or an ISA cannot run.
pub fn sweep(
    kernel: &Kernel,
    isas: &[Isa],
    scalars: &[f32],
    reference: impl Fn(&[f64]) -> f64 + Sync,
) -> Vec<SweepStats> {
    assert_eq!(kernel.inputs().len(), 1, "the sweep covers kernels of one input");
    let done = AtomicU64::new(0);
    let started = Instant::now();
    let scalar_args: Vec<f64> = scalars.iter().map(|&s| f64::from(s)).collect();
    let stats = std::thread::scope(|scope| {
        scope.spawn(|| progress(kernel.name(), &done, started));
        (0..TOTAL / BLOCK)
            .into_par_iter()
            .fold(
                || {
                    let buffer = vec![0f32; BLOCK as usize];
                    (vec![SweepStats::default(); isas.len()], buffer.clone(), buffer)
                },
                |(mut stats, mut input, mut out), block| {
                    for (i, x) in input.iter_mut().enumerate() {
                        *x = f32::from_bits((block * BLOCK) as u32 + i as u32);
                    }
                    let mut args = vec![0.0; 1 + scalar_args.len()];
                    args[1..].copy_from_slice(&scalar_args);
                    let want: Vec<f64> = input
                        .iter()
                        .map(|&x| {
                            args[0] = f64::from(x);
                            reference(&args)
                        })
                        .collect();
                    for (s, &isa) in stats.iter_mut().zip(isas) {
                        run_with_isa(kernel, isa, &[&input], scalars, &mut out).unwrap_or_else(|e| panic!("{e}"));
                        for ((x, o), w) in input.iter().zip(&out).zip(&want) {
                            s.record(*x, *o, *w);
                        }
                    }
                    done.fetch_add(BLOCK, Ordering::Relaxed);
                    (stats, input, out)
                },
            )
            .map(|(stats, ..)| stats)
            .reduce(
                || vec![SweepStats::default(); isas.len()],
                |a, b| a.into_iter().zip(b).map(|(x, y)| x.merge(y)).collect(),
            )
    });
    eprintln!(
        "{:>10} swept 2^32 inputs x {} variants in {:.0?}",
        kernel.name(),
        isas.len(),
        started.elapsed()
    );
    stats
}

fn progress(name: &str, done: &AtomicU64, started: Instant) {
    loop {
        let d = done.load(Ordering::Relaxed);
        let fraction = d as f64 / TOTAL as f64;
        let width = 40;
        let filled = (fraction * width as f64) as usize;
        let eta = started.elapsed().as_secs_f64() * (1.0 - fraction) / fraction.max(1e-9);
        eprint!(
            "\r{name:>10} [{}{}] {:5.1}%  ETA {eta:4.0}s ",
            "=".repeat(filled),
            " ".repeat(width - filled),
            100.0 * fraction
        );
        if d >= TOTAL {
            eprintln!();
            return;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}
