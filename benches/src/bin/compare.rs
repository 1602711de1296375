//! Side by side, in one run: every kernel of this project (dispatched, and each
//! variant) against the same op in NumPy and PyTorch (CPU), at 100 to 10M
//! elements (100M with `--huge`), writing into preallocated outputs on all
//! sides. Each cell is measured in rounds that alternate the libraries, so
//! drift hits all sides alike; the reported figure is the median.
//!
//! Three tables: typical inputs with all threads (the headline) and with one
//! thread on every side, then full-range inputs, where results overflow or
//! become subnormal and other libraries take slow paths.
//!
//! ```text
//! cargo run --release -p simdwise-benches --bin compare [-- --quick] [-- --huge]
//! ```
//!
//! Writes `benches/results/comparison.md` and `benches/results/comparison.svg`
//! (`--out DIR` elsewhere). `--quick` (small sizes, two rounds) checks the
//! harness itself, for CI.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Instant;

use simdwise::reference::SCALAR_ARG;
use simdwise::runtime::Plan;
use simdwise::{Isa, Kernel};
use simdwise_benches::{Distribution, call_as, cpu_model, inputs_from, median};

const SEED: u64 = 12345;

struct Python {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Python {
    /// A worker process; `threads` fixes PyTorch's intra-op threads in it.
    fn start(python: &str, threads: Option<u32>) -> Result<Python, String> {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/compare/worker.py");
        let mut child = Command::new(python)
            .arg(script)
            .args(
                threads
                    .map(|t| ["--threads".to_owned(), t.to_string()])
                    .into_iter()
                    .flatten(),
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start `{python} {script}`: {e}"))?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
        Ok(Python { child, stdin, stdout })
    }

    /// Sends one request line and reads one reply line (both flat JSON).
    fn ask(&mut self, request: &str) -> Result<String, String> {
        writeln!(self.stdin, "{request}").map_err(|e| format!("python worker: {e}"))?;
        let mut line = String::new();
        self.stdout
            .read_line(&mut line)
            .map_err(|e| format!("python worker: {e}"))?;
        if line.is_empty() {
            return Err("python worker exited".into());
        }
        Ok(line)
    }
}

impl Python {
    /// Nanoseconds per call of `job` in the worker, measured over `*reps`
    /// calls; while `*reps` is 0, one probe call chooses it first. `None`
    /// when the library or op is unavailable there.
    fn time(&mut self, job: &PyJob, reps: &mut u64, target_s: f64) -> Option<f64> {
        let (dist, lo, hi) = job.distribution.parts();
        let mut ask = |reps: u64| {
            let request = format!(
                r#"{{"cmd": "time", "lib": "{}", "dtype": "{}", "op": "{}", "n": {}, "reps": {reps}, "arity": {}, "dist": "{dist}", "lo": {lo}, "hi": {hi}, "seed": {SEED}, "alpha": {SCALAR_ARG}}}"#,
                job.lib,
                job.dtype,
                job.kernel.name(),
                job.n,
                job.kernel.inputs().len()
            );
            self.ask(&request)
                .ok()
                .and_then(|r| json_field(&r, "ns_per_call").and_then(|v| v.parse::<f64>().ok()))
        };
        if *reps == 0 {
            *reps = ask(1).map_or(0, |ns| reps_for(ns, target_s));
        }
        if *reps == 0 { None } else { ask(*reps) }
    }
}

impl Drop for Python {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The value of `"key": value` in a flat JSON object, as raw text.
fn json_field<'a>(json: &'a str, key: &str) -> Option<&'a str> {
    let start = json.find(&format!("\"{key}\":"))? + key.len() + 3;
    let rest = json[start..].trim_start();
    let end = if let Some(stripped) = rest.strip_prefix('"') {
        return stripped.find('"').map(|e| &stripped[..e]);
    } else {
        rest.find([',', '}']).unwrap_or(rest.len())
    };
    Some(rest[..end].trim()).filter(|v| *v != "null")
}

/// Calls per measurement so that one measurement lasts about `target_s`.
fn reps_for(ns_per_call: f64, target_s: f64) -> u64 {
    ((target_s * 1e9 / ns_per_call.max(1.0)) as u64).clamp(1, 1_000_000)
}

/// Nanoseconds per call of `call`, over calls lasting about `target_s`
/// after a warm-up that is the same as the Python side's: at least one call
/// and 1 ms.
fn time_calls(target_s: f64, mut call: impl FnMut()) -> f64 {
    let warm = Instant::now();
    call();
    while warm.elapsed().as_micros() < 1_000 {
        call();
    }
    let probe = Instant::now();
    call();
    let reps = reps_for(probe.elapsed().as_nanos() as f64, target_s);
    let start = Instant::now();
    for _ in 0..reps {
        call();
    }
    start.elapsed().as_nanos() as f64 / reps as f64
}

/// What a worker times: a library's op of `kernel` on `n` inputs drawn from
/// `distribution`, as `dtype` (`float32`, or `bfloat16` for PyTorch).
struct PyJob<'a> {
    lib: &'a str,
    dtype: &'a str,
    kernel: &'a Kernel,
    n: usize,
    distribution: Distribution,
}

#[derive(Default)]
struct Cell {
    /// Ours, dispatched, with every rayon thread.
    ours: Vec<f64>,
    /// Ours, dispatched, inside a one-thread rayon pool.
    ours_1t: Vec<f64>,
    numpy: Vec<f64>,
    torch: Vec<f64>,
    torch_1t: Vec<f64>,
    /// Ours through the Python package, in the worker beside NumPy and PyTorch.
    python: Vec<f64>,
    /// Each variant forced, every rayon thread.
    variants: Vec<Vec<f64>>,
    /// The dispatched ISA with each of `Plan::choices`.
    plans: Vec<Vec<f64>>,
}

/// One comparison table: which inputs, and whether it times one thread and
/// each variant too (the headline does; the full-range table does not).
struct Table {
    title: &'static str,
    distribution: fn(&Kernel) -> Distribution,
    detailed: bool,
}

const TABLES: [Table; 2] = [
    Table {
        title: "typical inputs",
        distribution: Distribution::typical,
        detailed: true,
    },
    Table {
        title: "full-range inputs",
        distribution: Distribution::full_range,
        detailed: false,
    },
];

type Results = Vec<(&'static Kernel, Vec<(usize, Cell)>)>;

struct Options {
    readme: Option<String>,
    sizes: Vec<usize>,
    rounds: usize,
    target_s: f64,
    out_dir: String,
    python: String,
    /// Kernel names to measure; all when empty.
    only: Vec<String>,
    /// Sizes of the bf16 table.
    half_sizes: Vec<usize>,
}

/// A pause between contestants, with the calling thread busy (after a sleep,
/// the first ~10 ms of work on this VM run measurably slower). Each side's
/// helper threads keep spinning for a while after its last call and would take
/// a core from whoever is timed next on a 2-core machine: ours ~60 µs, while
/// the Intel OpenMP runtime behind PyTorch's MKL calls spins for its default
/// `KMP_BLOCKTIME` of 200 ms (measured: ours at 10K-100K ran 2x slower right
/// after PyTorch with a 30 ms pause, and not at all with `KMP_BLOCKTIME=0`).
fn settle(ms: u128) {
    let start = Instant::now();
    while start.elapsed().as_millis() < ms {
        std::hint::spin_loop();
    }
}

/// One timing of ours within a round of the comparison.
#[derive(Clone, Copy)]
enum Job {
    /// The dispatched call, all threads.
    Ours,
    /// The dispatched call in a one-thread pool.
    OursOneThread,
    /// A variant (index into the kernel's runnable ISAs) with the runtime's plan.
    Variant(usize),
    /// A plan (index into `Plan::choices`) with the dispatched variant.
    Plan(usize),
}

/// After PyTorch: longer than its OpenMP workers' spin.
const AFTER_TORCH_MS: u128 = 250;
/// After ours: longer than our helpers' spin.
const AFTER_OURS_MS: u128 = 2;

fn options() -> Options {
    let mut o = Options {
        readme: None,
        sizes: vec![100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000],
        rounds: 7,
        target_s: 0.01,
        out_dir: concat!(env!("CARGO_MANIFEST_DIR"), "/results").to_owned(),
        python: "python3".to_owned(),
        only: Vec::new(),
        half_sizes: vec![1_000_000, 10_000_000],
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => {
                o.sizes = vec![100, 1_000, 10_000];
                o.half_sizes = vec![10_000];
                o.rounds = 2;
                o.target_s = 0.001;
            }
            "--huge" => {
                o.sizes.push(100_000_000);
                o.half_sizes.push(100_000_000);
            }
            "--out" => o.out_dir = args.next().expect("--out DIR"),
            "--python" => o.python = args.next().expect("--python PATH"),
            "--readme" => o.readme = Some(args.next().expect("--readme README.md")),
            "--only" => {
                let names = args.next().expect("--only KERNEL,KERNEL");
                o.only = names.split(',').map(str::to_owned).collect();
                for name in &o.only {
                    if !simdwise::ALL.iter().any(|k| k.name() == name) {
                        eprintln!("--only: no kernel named `{name}`");
                        std::process::exit(2);
                    }
                }
            }
            other => {
                eprintln!(
                    "unknown option {other}; options: --quick --huge --only KERNEL,.. --out DIR --python PATH --readme README.md"
                );
                std::process::exit(2);
            }
        }
    }
    if !o.only.is_empty() && o.readme.is_some() {
        eprintln!("--readme needs every kernel measured; drop --only");
        std::process::exit(2);
    }
    o
}

fn main() {
    let o = options();
    // One worker with PyTorch's default threads, one with a single thread.
    let mut py_1t = Python::start(&o.python, Some(1)).ok();
    let mut py = match Python::start(&o.python, None) {
        Ok(p) => Some(p),
        Err(e) => {
            eprintln!("{e}\nNumPy and PyTorch columns will be empty.");
            None
        }
    };
    let hello = py
        .as_mut()
        .and_then(|p| p.ask(r#"{"cmd": "hello"}"#).ok())
        .unwrap_or_default();
    let numpy = json_field(&hello, "numpy").map(str::to_owned);
    let torch = json_field(&hello, "torch").map(str::to_owned);
    if let Some(install) = json_field(&hello, "install") {
        eprintln!("missing Python libraries; the comparison runs without them. To include them: {install}");
    }
    let active = simdwise::runtime::active_isa().expect("dispatch ISA");
    let threads = rayon::current_num_threads();
    let header = format!(
        "Measured {} on {} ({} cores) by `cargo run --release -p simdwise-benches --bin compare`.\n\n\
         - ours: simdwise {} dispatched to {active}, {threads} rayon threads (inline below the parallel threshold)\n\
         - NumPy {}: 1 thread (ufuncs run on the calling thread)\n\
         - PyTorch {} (CPU): {} threads, and 1 in the one-thread table\n\
         - ours from Python: the `simdwise` package ({}), rayon's threads, in the NumPy/PyTorch process\n\n\
         Time per element, median of {} interleaved rounds, preallocated outputs on every side; \
         ratio < 1 means ours is faster.\n",
        today(),
        cpu_model(),
        std::thread::available_parallelism().map_or(1, usize::from),
        env!("CARGO_PKG_VERSION"),
        numpy.as_deref().unwrap_or("not installed"),
        torch.as_deref().unwrap_or("not installed"),
        json_field(&hello, "torch_threads").unwrap_or("-"),
        json_field(&hello, "simdwise").unwrap_or("not installed: pip install ./python"),
        o.rounds
    );
    print!("{header}");
    let bandwidth = copy_bandwidth(&o.sizes);
    let mut bw_md = String::from(
        "\nMemory bandwidth baseline: a parallel copy (read + write, same traffic as relu) on all threads.\n\n| n | copy GB/s | relu GB/s | relu % of copy | add GB/s | add % of copy |\n|---|---|---|---|---|---|\n",
    );

    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a one-thread pool");
    let mut tables: Vec<Results> = Vec::new();
    for table in &TABLES {
        println!("\n## {}", table.title);
        let mut results: Results = Vec::new();
        for &kernel in simdwise::ALL {
            if !o.only.is_empty() && !o.only.iter().any(|name| name == kernel.name()) {
                continue;
            }
            let distribution = (table.distribution)(kernel);
            let isas: Vec<Isa> = kernel.runnable_isas().collect();
            let mut rows = Vec::new();
            for &n in &o.sizes {
                let data = inputs_from(kernel, n, distribution);
                let mut out = vec![0.0f32; n];
                let mut time_ours = |how: Option<(Isa, Option<Plan>)>| {
                    time_calls(o.target_s, || {
                        call_as(kernel, how, &data, &mut out).expect("valid call");
                    })
                };
                let dispatched = simdwise::runtime::isa_for(kernel, n).expect("dispatch ISA");
                let plans = Plan::choices(kernel, n);
                let mut cell = Cell {
                    variants: vec![Vec::new(); if table.detailed { isas.len() } else { 0 }],
                    plans: vec![Vec::new(); if table.detailed { plans.len() } else { 0 }],
                    ..Cell::default()
                };
                let mut py_reps = [0u64; 4];
                let mut jobs = vec![Job::Ours];
                if table.detailed {
                    jobs.push(Job::OursOneThread);
                    jobs.extend((0..isas.len()).map(Job::Variant));
                    jobs.extend((0..plans.len()).map(Job::Plan));
                }
                for round in 0..o.rounds {
                    settle(AFTER_TORCH_MS);
                    // Each round starts with the next job: the first timing
                    // after the pause runs slower on this VM (up to 1.9x at
                    // 10M), and no job should always take that place.
                    let first = round % jobs.len();
                    for job in jobs[first..].iter().chain(&jobs[..first]) {
                        match *job {
                            Job::Ours => cell.ours.push(time_ours(None)),
                            // The whole timing loop runs on the pool's one thread, so
                            // the runtime sees one thread and runs every call inline.
                            Job::OursOneThread => cell.ours_1t.push(one_thread.install(|| time_ours(None))),
                            Job::Variant(i) => cell.variants[i].push(time_ours(Some((isas[i], None)))),
                            Job::Plan(i) => cell.plans[i].push(time_ours(Some((dispatched, Some(plans[i].1))))),
                        }
                    }
                    settle(AFTER_OURS_MS);
                    let contestants: &[(&str, u32)] = if table.detailed {
                        &[("numpy", 0), ("torch", 0), ("torch", 1), ("simdwise", 0)]
                    } else {
                        &[("numpy", 0), ("torch", 0)]
                    };
                    for (i, &(lib, threads)) in contestants.iter().enumerate() {
                        let Some(p) = (if threads == 1 { py_1t.as_mut() } else { py.as_mut() }) else {
                            continue;
                        };
                        let job = PyJob {
                            lib,
                            dtype: "float32",
                            kernel,
                            n,
                            distribution,
                        };
                        if let Some(ns) = p.time(&job, &mut py_reps[i], o.target_s) {
                            match (lib, threads) {
                                ("numpy", _) => &mut cell.numpy,
                                ("simdwise", _) => &mut cell.python,
                                (_, 1) => &mut cell.torch_1t,
                                _ => &mut cell.torch,
                            }
                            .push(ns);
                        }
                    }
                }
                rows.push((n, cell));
            }
            print_kernel(kernel, &rows, &isas);
            results.push((kernel, rows));
        }
        tables.push(results);
    }
    let results = &tables[0];

    for (n, copy_gbs) in &bandwidth {
        let gbs = |name: &str| {
            results.iter().find(|(k, _)| k.name() == name).and_then(|(k, rows)| {
                rows.iter()
                    .find(|(m, _)| m == n)
                    .and_then(|(_, c)| per_element(&c.ours, *n).map(|ns| 4.0 * (k.inputs().len() + 1) as f64 / ns))
            })
        };
        let (relu, add) = (gbs("relu"), gbs("add"));
        let pct = |v: Option<f64>| v.map_or("-".into(), |v| format!("{:.0}%", 100.0 * v / copy_gbs));
        bw_md.push_str(&format!(
            "| {n} | {copy_gbs:.1} | {} | {} | {} | {} |\n",
            relu.map_or("-".into(), |v| format!("{v:.1}")),
            pct(relu),
            add.map_or("-".into(), |v| format!("{v:.1}")),
            pct(add)
        ));
    }
    print!("{bw_md}");
    let half_md = half_table(py.as_mut(), &o);
    print!("{half_md}");
    std::fs::create_dir_all(&o.out_dir).expect("create the output directory");
    let summary = format!(
        "{header}{bw_md}\n{}{}{half_md}",
        ratio_summary(&tables, &o.sizes),
        choice_summary(&tables[0], &o.sizes)
    );
    let md = format!(
        "{summary}\n{}",
        TABLES
            .iter()
            .zip(&tables)
            .map(|(table, results)| format!("### {}\n\n{}", table.title, markdown(results)))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let md_path = format!("{}/comparison.md", o.out_dir);
    std::fs::write(&md_path, md).expect("write the table");
    let svg_path = format!("{}/comparison.svg", o.out_dir);
    std::fs::write(&svg_path, svg(results, &o.sizes)).expect("write the chart");
    println!("\nwrote {md_path} and {svg_path}");
    if let Some(path) = &o.readme {
        simdwise_benches::rewrite_section(path, "compare-summary", |_| summary);
        println!("rewrote the comparison summary in {path}");
    }

    // The harness itself must work: a library that is present must have been timed.
    for (lib, version, pick) in [
        ("NumPy", &numpy, (|c: &Cell| &c.numpy) as fn(&Cell) -> &Vec<f64>),
        ("PyTorch", &torch, |c: &Cell| &c.torch),
    ] {
        let timed = tables
            .iter()
            .flatten()
            .flat_map(|(_, rows)| rows)
            .filter(|(_, c)| !pick(c).is_empty())
            .count();
        if version.is_some() && timed == 0 {
            eprintln!("{lib} is installed but no {lib} timing came back: the harness is broken");
            std::process::exit(1);
        }
    }
}

/// Kernels on bf16 data, all threads: ours on f32, ours on bf16 (inputs and
/// output), PyTorch on bf16 tensors, PyTorch on f32; the same typical inputs
/// rounded once to bf16, interleaved rounds, medians.
fn half_table(mut py: Option<&mut Python>, o: &Options) -> String {
    use simdwise::half::bf16;
    use simdwise::runtime::{Source, Target, run_elements};

    let kernels = [&simdwise::relu::KERNEL, &simdwise::add::KERNEL, &simdwise::gelu::KERNEL];
    let mut md = String::from(
        "\n**bf16 data, all threads** (ns/element; inputs and output bf16, computed in f32, rounded once; \
         NumPy has no bf16). Ratio < 1: ours on bf16 is faster.\n\n\
         | kernel | n | ours f32 | ours bf16 | PyTorch bf16 | PyTorch f32 | bf16 / f32 | ours / PyTorch bf16 |\n\
         |---|---|---|---|---|---|---|---|\n",
    );
    for kernel in kernels {
        if !o.only.is_empty() && !o.only.iter().any(|name| name == kernel.name()) {
            continue;
        }
        for &n in &o.half_sizes {
            let distribution = Distribution::typical(kernel);
            let data = inputs_from(kernel, n, distribution);
            let halves: Vec<Vec<bf16>> = data
                .iter()
                .map(|v| v.iter().map(|&x| bf16::from_f32(x)).collect())
                .collect();
            let (mut out, mut out_half) = (vec![0.0f32; n], vec![bf16::ZERO; n]);
            let scalars: Vec<f32> = kernel.scalars().iter().map(|_| SCALAR_ARG).collect();
            let mut time = |half: bool| {
                time_calls(o.target_s, || {
                    if half {
                        let inputs: Vec<Source> = halves.iter().map(|v| Source::Bf16(v)).collect();
                        run_elements(kernel, &inputs, &scalars, Target::Bf16(&mut out_half))
                    } else {
                        let inputs: Vec<Source> = data.iter().map(|v| Source::F32(v)).collect();
                        run_elements(kernel, &inputs, &scalars, Target::F32(&mut out))
                    }
                    .expect("valid call")
                })
            };
            let (mut ours, mut ours_half, mut torch_half, mut torch) = (vec![], vec![], vec![], vec![]);
            let mut torch_reps = [0u64; 2];
            for _ in 0..o.rounds {
                settle(AFTER_TORCH_MS);
                ours.push(time(false));
                ours_half.push(time(true));
                settle(AFTER_OURS_MS);
                let Some(p) = py.as_deref_mut() else { continue };
                for (i, (dtype, samples)) in [("bfloat16", &mut torch_half), ("float32", &mut torch)]
                    .into_iter()
                    .enumerate()
                {
                    let job = PyJob {
                        lib: "torch",
                        dtype,
                        kernel,
                        n,
                        distribution,
                    };
                    if let Some(ns) = p.time(&job, &mut torch_reps[i], o.target_s) {
                        samples.push(ns);
                    }
                }
            }
            let [a, b, c, d] = [&ours, &ours_half, &torch_half, &torch].map(|v| per_element(v, n));
            md.push_str(&format!(
                "| {} | {n} | {} | {} | {} | {} | {} | {} |\n",
                kernel.name(),
                fmt_ns(a),
                fmt_ns(b),
                fmt_ns(c),
                fmt_ns(d),
                fmt_ratio(b, a),
                fmt_ratio(b, c)
            ));
        }
    }
    md
}

/// GB/s of a parallel copy (4 bytes read + 4 written per element) per size of
/// 1M elements and up: the streaming bandwidth the memory-bound kernels are held to.
fn copy_bandwidth(sizes: &[usize]) -> Vec<(usize, f64)> {
    use rayon::prelude::*;
    sizes
        .iter()
        .filter(|&&n| n >= 1_000_000)
        .map(|&n| {
            let src = vec![1.0f32; n];
            let mut dst = vec![0.0f32; n];
            let chunk = n.div_ceil(rayon::current_num_threads());
            let mut run = || {
                let t = Instant::now();
                dst.par_chunks_mut(chunk)
                    .zip(src.par_chunks(chunk))
                    .for_each(|(d, s)| d.copy_from_slice(s));
                t.elapsed().as_secs_f64()
            };
            run();
            let best = median((0..15).map(|_| run()).collect());
            (n, 8.0 * n as f64 / best / 1e9)
        })
        .collect()
}

fn per_element(v: &[f64], n: usize) -> Option<f64> {
    (!v.is_empty()).then(|| median(v.to_vec()) / n as f64)
}

fn fmt_ns(v: Option<f64>) -> String {
    v.map_or("-".into(), |x| format!("{x:.3}"))
}

fn fmt_ratio(ours: Option<f64>, theirs: Option<f64>) -> String {
    match (ours, theirs) {
        (Some(a), Some(b)) => format!("{:.2}", a / b),
        _ => "-".into(),
    }
}

fn print_kernel(kernel: &Kernel, rows: &[(usize, Cell)], isas: &[Isa]) {
    println!("\n{}", kernel.name());
    let variant_names: Vec<&str> = isas.iter().map(|i| i.name()).collect();
    println!(
        "{:>10} {:>9} {:>9} {:>9} {:>8} {:>8} | 1 thread: {:>9} {:>9} {:>8} {:>8}   variants ({})",
        "n",
        "ours",
        "numpy",
        "torch",
        "/numpy",
        "/torch",
        "ours",
        "torch",
        "/numpy",
        "/torch",
        variant_names.join(", ")
    );
    for (n, c) in rows {
        let [ours, numpy, torch, ours_1t, torch_1t] =
            [&c.ours, &c.numpy, &c.torch, &c.ours_1t, &c.torch_1t].map(|v| per_element(v, *n));
        let variants: Vec<String> = c.variants.iter().map(|v| fmt_ns(per_element(v, *n))).collect();
        println!(
            "{n:>10} {:>9} {:>9} {:>9} {:>8} {:>8} |           {:>9} {:>9} {:>8} {:>8}   {}",
            fmt_ns(ours),
            fmt_ns(numpy),
            fmt_ns(torch),
            fmt_ratio(ours, numpy),
            fmt_ratio(ours, torch),
            fmt_ns(ours_1t),
            fmt_ns(torch_1t),
            fmt_ratio(ours_1t, numpy),
            fmt_ratio(ours_1t, torch_1t),
            variants.join(" ")
        );
    }
}

fn markdown(results: &[(&Kernel, Vec<(usize, Cell)>)]) -> String {
    let mut s = String::from(
        "| op | n | ours ns/el | NumPy ns/el | PyTorch ns/el | ours 1 thread | PyTorch 1 thread | ours from Python | variants ns/el |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    for (kernel, rows) in results {
        let isas: Vec<Isa> = kernel.runnable_isas().collect();
        for (n, c) in rows {
            let variants: Vec<String> = c
                .variants
                .iter()
                .zip(&isas)
                .map(|(v, isa)| format!("{} {}", isa.name(), fmt_ns(per_element(v, *n))))
                .collect();
            let [ours, numpy, torch, ours_1t, torch_1t, python] =
                [&c.ours, &c.numpy, &c.torch, &c.ours_1t, &c.torch_1t, &c.python].map(|v| fmt_ns(per_element(v, *n)));
            s.push_str(&format!(
                "| {} | {n} | {ours} | {numpy} | {torch} | {ours_1t} | {torch_1t} | {python} | {} |\n",
                kernel.name(),
                variants.join(", ")
            ));
        }
    }
    s
}

/// Per op and size, ours/NumPy and ours/PyTorch (medians), one table per
/// thread setting and input range; a ratio over 1.00 (a loss) is in bold.
fn ratio_summary(tables: &[Results], sizes: &[usize]) -> String {
    type Pick = fn(&Cell) -> (&Vec<f64>, &Vec<f64>, &Vec<f64>);
    let views: [(&str, &Results, Pick); 4] = [
        (
            "Typical inputs, all threads (ours: rayon's threads; NumPy: 1; PyTorch: its intra-op threads)",
            &tables[0],
            |c| (&c.ours, &c.numpy, &c.torch),
        ),
        (
            "Typical inputs, one thread on every side (ours in a one-thread rayon pool, PyTorch with `set_num_threads(1)`)",
            &tables[0],
            |c| (&c.ours_1t, &c.numpy, &c.torch_1t),
        ),
        (
            "Full-range inputs, all threads: results overflow or become subnormal, where other libraries take slow paths",
            &tables[1],
            |c| (&c.ours, &c.numpy, &c.torch),
        ),
        (
            "Typical inputs from Python, all threads: ours through the `simdwise` package (`pip install ./python`), \
             call overhead included, in the same process as NumPy and PyTorch (blank where the package is not installed)",
            &tables[0],
            |c| (&c.python, &c.numpy, &c.torch),
        ),
    ];
    let mut s = String::new();
    for (title, results, pick) in views {
        s.push_str(&format!(
            "**{title}.** Ratio of times, ours / NumPy and ours / PyTorch (< 1: ours is faster):\n\n"
        ));
        s.push_str(&size_header(sizes));
        for (kernel, rows) in results.iter() {
            s.push_str(&format!("| {} |", kernel.name()));
            for (n, c) in rows {
                let (ours, numpy, torch) = pick(c);
                let ours = per_element(ours, *n);
                let ratio = |theirs: &Vec<f64>| {
                    let text = fmt_ratio(ours, per_element(theirs, *n));
                    match text.parse::<f64>() {
                        Ok(r) if r > 1.0 => format!("**{text}**"),
                        _ => text,
                    }
                };
                s.push_str(&format!(" {} / {} |", ratio(numpy), ratio(torch)));
            }
            s.push('\n');
        }
        s.push('\n');
    }
    s
}

/// The head of a table with one column per size.
fn size_header(sizes: &[usize]) -> String {
    let columns: String = sizes.iter().map(|n| format!(" {n} |")).collect();
    format!("| op |{columns}\n|---|{}\n", "---|".repeat(sizes.len()))
}

/// Per op and size, the dispatched call's time over the best of every variant
/// (the runtime's plan) and every plan (the dispatched variant): 1.00 means the
/// runtime chose the fastest; over 1.10 (bold) it missed by more than 10%.
fn choice_summary(results: &Results, sizes: &[usize]) -> String {
    let mut s = String::from(
        "**The runtime's choice, typical inputs, all threads.** Dispatched time over the best of each variant \
         (with the runtime's plan) and each plan (inline, parallel, parallel with streaming stores, with the \
         dispatched variant):\n\n",
    );
    s.push_str(&size_header(sizes));
    for (kernel, rows) in results.iter() {
        s.push_str(&format!("| {} |", kernel.name()));
        for (n, c) in rows {
            let best = c
                .variants
                .iter()
                .chain(&c.plans)
                .filter_map(|v| per_element(v, *n))
                .fold(f64::INFINITY, f64::min);
            let cell = per_element(&c.ours, *n).map_or("-".into(), |ours| {
                let ratio = ours / best;
                if ratio > 1.1 {
                    format!("**{ratio:.2}**")
                } else {
                    format!("{ratio:.2}")
                }
            });
            s.push_str(&format!(" {cell} |"));
        }
        s.push('\n');
    }
    s
}

/// Small multiples: one log-log panel per op, ns/element against size.
fn svg(results: &[(&Kernel, Vec<(usize, Cell)>)], sizes: &[usize]) -> String {
    let (cols, pw, ph, pad) = (4usize, 260.0, 190.0, 40.0);
    let rows = results.len().div_ceil(cols);
    let (w, h) = (cols as f64 * pw, rows as f64 * ph + 40.0);
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="10"><rect width="100%" height="100%" fill="white"/>"#
    );
    let series = [("ours", "#d62728"), ("NumPy", "#1f77b4"), ("PyTorch", "#ff7f0e")];
    for (i, (name, color)) in series.iter().enumerate() {
        let x = 10.0 + i as f64 * 90.0;
        s.push_str(&format!(
            r#"<line x1="{x}" y1="15" x2="{}" y2="15" stroke="{color}" stroke-width="2"/><text x="{}" y="19">{name}</text>"#,
            x + 20.0,
            x + 24.0
        ));
    }
    s.push_str(r#"<text x="300" y="19">ns per element (log) vs elements (log)</text>"#);
    let (xmin, xmax) = (
        (sizes[0] as f64).log10(),
        (*sizes.last().unwrap_or(&100) as f64).log10().max(3.0),
    );
    for (k, (kernel, cells)) in results.iter().enumerate() {
        let (ox, oy) = ((k % cols) as f64 * pw, 40.0 + (k / cols) as f64 * ph);
        let lines: Vec<Vec<(f64, f64)>> = [0, 1, 2]
            .iter()
            .map(|&which| {
                cells
                    .iter()
                    .filter_map(|(n, c)| {
                        let v = match which {
                            0 => &c.ours,
                            1 => &c.numpy,
                            _ => &c.torch,
                        };
                        per_element(v, *n).map(|y| ((*n as f64).log10(), y.log10()))
                    })
                    .collect()
            })
            .collect();
        let ys: Vec<f64> = lines.iter().flatten().map(|p| p.1).collect();
        let ymin = ys.iter().copied().fold(f64::INFINITY, f64::min).floor();
        let ymax = ys
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max)
            .ceil()
            .max(ymin + 1.0);
        let px = |x: f64| ox + pad + (x - xmin) / (xmax - xmin) * (pw - pad - 10.0);
        let py = |y: f64| oy + ph - 30.0 - (y - ymin) / (ymax - ymin) * (ph - 50.0);
        s.push_str(&format!(
            r#"<text x="{}" y="{}" font-weight="bold">{}</text><rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="gray"/>"#,
            ox + pad,
            oy + 12.0,
            kernel.name(),
            px(xmin),
            py(ymax),
            px(xmax) - px(xmin),
            py(ymin) - py(ymax)
        ));
        for e in (ymin as i32)..=(ymax as i32) {
            s.push_str(&format!(
                r#"<text x="{}" y="{}" text-anchor="end">1e{e}</text>"#,
                px(xmin) - 3.0,
                py(f64::from(e)) + 3.0
            ));
        }
        for n in sizes {
            let x = (*n as f64).log10();
            s.push_str(&format!(
                r#"<text x="{}" y="{}" text-anchor="middle">1e{x:.0}</text>"#,
                px(x),
                py(ymin) + 12.0
            ));
        }
        for (points, (_, color)) in lines.iter().zip(series) {
            if points.is_empty() {
                continue;
            }
            let path: Vec<String> = points
                .iter()
                .map(|(x, y)| format!("{:.1},{:.1}", px(*x), py(*y)))
                .collect();
            s.push_str(&format!(
                r#"<polyline points="{}" fill="none" stroke="{color}" stroke-width="1.8"/>"#,
                path.join(" ")
            ));
        }
    }
    s.push_str("</svg>\n");
    s
}

/// Today's date (UTC) from the system clock, as YYYY-MM-DD.
fn today() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    // Civil-from-days (proleptic Gregorian).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}
