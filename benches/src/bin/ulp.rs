//! The exhaustive accuracy sweep: every variant of a unary kernel over all 2^32
//! f32 bit patterns, against the f64 reference, in parallel.
//!
//! ```text
//! cargo run --release -p simdwise-benches --bin ulp -- tanh [exp ..] [--variant avx2]
//! cargo run --release -p simdwise-benches --bin ulp -- --all [--readme README.md]
//! ```
//!
//! Per variant it prints the max error in ulp and the input where it occurs,
//! how many results are over 0.5 ulp (not correctly rounded), and mismatches in
//! NaN, infinity and sign-of-zero handling. `--readme` also times each variant
//! at 100K elements and rewrites the README's accuracy table.

use std::time::Instant;

use simdwise::{Isa, Kernel};
use simdwise_benches::{Distribution, call, inputs_from};
use simdwise_testkit::sweep;

/// Median ns per element of `isa` at 100K elements.
fn ns_per_element(kernel: &Kernel, isa: Isa) -> f64 {
    let n = 100_000;
    let data = inputs_from(kernel, n, Distribution::typical(kernel));
    let mut out = vec![0.0; n];
    simdwise_benches::median(
        (0..25)
            .map(|_| {
                let t = Instant::now();
                call(kernel, Some(isa), &data, &mut out).expect("valid call");
                t.elapsed().as_secs_f64() * 1e9 / n as f64
            })
            .collect(),
    )
}

fn usage() -> ! {
    let unary: Vec<&str> = simdwise::ALL
        .iter()
        .filter(|k| k.inputs().len() == 1)
        .map(|k| k.name())
        .collect();
    eprintln!("usage: ulp <kernel>.. | --all  [--variant ISA] [--readme README.md]");
    eprintln!("unary kernels: {}", unary.join(", "));
    std::process::exit(2);
}

fn main() {
    let mut names = Vec::new();
    let mut variant = None;
    let mut readme = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--all" => names.extend(
                simdwise::ALL
                    .iter()
                    .filter(|k| k.inputs().len() == 1)
                    .map(|k| k.name().to_owned()),
            ),
            "--variant" => match args.next().map(|v| v.parse::<Isa>()) {
                Some(Ok(isa)) => variant = Some(isa),
                Some(Err(e)) => {
                    eprintln!("{e}");
                    std::process::exit(2)
                }
                None => usage(),
            },
            "--readme" => readme = Some(args.next().unwrap_or_else(|| usage())),
            "-h" | "--help" => usage(),
            name => names.push(name.to_owned()),
        }
    }
    if names.is_empty() {
        usage();
    }
    let mut table = String::from(
        "| kernel | variant | declared | max ulp | at input | results > 0.5 ulp | NaN/inf/±0 mismatches | ns/element at 100K | swept on |\n\
         |---|---|---|---|---|---|---|---|---|\n",
    );
    let mut over_bound = 0;
    for name in &names {
        let Some(kernel) = simdwise::ALL.iter().copied().find(|k| k.name() == name) else {
            eprintln!("no kernel named `{name}`");
            usage();
        };
        if kernel.inputs().len() != 1 {
            eprintln!(
                "`{name}` has {} inputs; the sweep covers unary kernels",
                kernel.inputs().len()
            );
            std::process::exit(2);
        }
        let isas: Vec<Isa> = match variant {
            Some(isa) => {
                if let Err(e) = isa.check_available() {
                    eprintln!("{e}");
                    std::process::exit(2);
                }
                vec![isa]
            }
            None => kernel.runnable_isas().collect(),
        };
        let reference = simdwise::reference::of(kernel);
        let scalars = vec![simdwise::reference::SCALAR_ARG; kernel.scalars().len()];
        for (isa, s) in isas.iter().zip(sweep(kernel, &isas, &scalars, reference)) {
            let x = f32::from_bits(s.worst_input);
            let within = s.within(kernel);
            over_bound += usize::from(!within);
            println!(
                "{:>10} {:>7}: max {:.3} ulp at x = {x:e} ({:#010x}); {} results > 0.5 ulp; NaN {} inf {} ±0 {} mismatches; declared {} {}",
                kernel.name(),
                isa.name(),
                s.max_ulp,
                s.worst_input,
                s.over_half,
                s.nan_mismatch,
                s.inf_mismatch,
                s.zero_sign_mismatch,
                kernel.max_ulp(),
                if within { "ok" } else { "EXCEEDED" }
            );
            if readme.is_some() {
                table.push_str(&format!(
                    "| {} | {} | {} | {:.3} | {x:e} | {} | {} | {:.3} | {} |\n",
                    kernel.name(),
                    isa.name(),
                    kernel.max_ulp(),
                    s.max_ulp,
                    s.over_half,
                    s.mismatches(),
                    ns_per_element(kernel, *isa),
                    simdwise_benches::cpu_model()
                ));
            }
        }
    }
    if let Some(path) = readme {
        rewrite_section(&path, &table);
    }
    if over_bound > 0 {
        eprintln!("{over_bound} variant(s) exceed their declared bound");
        std::process::exit(1);
    }
}

/// Rewrites the table between the accuracy markers of the README: rows of the
/// (kernel, variant) pairs swept now are replaced, other rows are kept.
fn rewrite_section(path: &str, table: &str) {
    let cell = |row: &str, i: usize| row.split('|').nth(i).map(|c| c.trim().to_owned());
    let key = |row: &str| cell(row, 1).zip(cell(row, 2));
    let lines: Vec<&str> = table.lines().collect();
    let (header, new_rows) = lines.split_at(2);
    let swept: Vec<(String, String)> = new_rows.iter().filter_map(|r| key(r)).collect();
    let variants = ["scalar", "sse2", "avx2", "avx512", "neon"];
    let order = |row: &&str| {
        let (k, v) = key(row).unwrap_or_default();
        let kernel = simdwise::ALL.iter().position(|kernel| kernel.name() == k);
        let variant = variants.iter().position(|name| *name == v);
        (kernel.unwrap_or(usize::MAX), variant.unwrap_or(usize::MAX))
    };
    let stamp = format!(
        "Swept over all 2^32 inputs by `cargo run --release -p simdwise-benches --bin ulp -- --all --readme README.md`; \
         ns/element of each variant at 100K typical inputs, inline or split as the runtime chooses ({} threads), \
         on the CPU of the row's last column (rows are replaced only when swept again).\n\n",
        rayon::current_num_threads()
    );
    simdwise_benches::rewrite_section(path, "ulp-sweep", |old| {
        // Kept rows not swept now, then the new ones, in kernel and variant order.
        let mut rows: Vec<&str> = old
            .lines()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| kernel"))
            .filter(|l| key(l).is_some_and(|k| !swept.contains(&k)))
            .chain(new_rows.iter().copied())
            .collect();
        rows.sort_by_key(order);
        format!("{stamp}{}\n{}\n", header.join("\n"), rows.join("\n"))
    });
    eprintln!("rewrote the accuracy table in {path}");
}
