//! Machine constants behind the runtime's choices, written by
//! `cargo run --release -p kernel-benches --bin calibrate`, which measures each
//! one as its comment says. Compiled in as defaults; re-run it on the target machine.
//!
//! Measured on: Intel(R) Xeon(R) Processor, 2 threads, L2 2048 KiB, best ISA avx512.

/// Inline time per byte of input and output moved, in ns (data in L2): relu and add.
pub const NS_PER_BYTE: f64 = 0.01472;
/// Inline time per unit of a kernel's IR cost, per element, in ns (best ISA):
/// median over the transcendental kernels.
pub const NS_PER_COST: f64 = 0.00704;
/// Estimated inline time above which splitting across threads pays, in ns: the
/// crossover measured for relu, tanh and gelu.
pub const PARALLEL_MIN_NS: f64 = 2747.5;
/// Output size above which non-temporal stores beat cached stores, in bytes.
pub const STREAM_MIN_BYTES: usize = 16777217;
/// How long a helper thread stays awake after a parallel call, in ns: five
/// times the measured cost of waking a sleeping one.
pub const HELPER_SPIN_NS: u64 = 68139;
/// Size classes (kernel, first and last length) where the AVX2 variant beat
/// AVX-512 by 10% or more; dispatched calls there take AVX2.
pub const AVX2_WINS: &[(&str, usize, usize)] = &[
    ("sqrt", 10001, 1000000),
    ("reciprocal", 101, 1000),
    ("reciprocal", 100001, 1000000),
    ("abs", 100001, 1000000),
];
