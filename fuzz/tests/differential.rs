//! Every variant of every generated kernel against an interpreter of its IR,
//! bit for bit: the unfused targets (scalar, SSE2) against the interpreter
//! with `fma` as a multiply and an add, the fused ones (AVX2, AVX-512, NEON)
//! with `fma` rounded once; every other operation is exact IEEE arithmetic or
//! a bit operation and must agree everywhere. NaN results must be NaN (their
//! sign and payload are not compared: the compiler may commute the operands
//! of `+` and `*`, and x86 propagates the first operand's NaN). Inputs:
//! special values and random bit patterns; then every length 0..=130 at
//! offsets 0..4, and a call large enough to run on several threads, must give
//! the full buffer's results. A disagreement is minimised: rerun with
//! `FUZZ_MINIMISE=<kernel>` (the message says how) and the smallest
//! sub-expression that still disagrees on that input is printed as a kernel.

use std::collections::HashMap;

use simdwise_codegen::{Program, Semantics};
use simdwise_fuzz::{COUNT, KERNELS, PARTS, SEED};
use simdwise_runtime::{Isa, Kernel};
use simdwise_testkit::{Rng, same_result, special_values};

/// Every generated kernel's program, by name.
pub fn programs() -> HashMap<String, Program> {
    KERNELS
        .iter()
        .chain(PARTS)
        .map(|(_, source)| {
            let p = Program::parse(proc_macro2::TokenStream::new(), source.parse().unwrap()).unwrap();
            (p.name(), p)
        })
        .collect()
}

/// The interpreter's result, with `fma` rounded once (`fused`) or twice.
pub fn eval(programs: &HashMap<String, Program>, name: &str, args: &[f32], fused: bool) -> f32 {
    eval_as(programs, name, args, Semantics::cpu(fused))
}

/// The interpreter's result under `semantics`, callees included.
pub fn eval_as(programs: &HashMap<String, Program>, name: &str, args: &[f32], semantics: Semantics) -> f32 {
    programs[name].eval(args, semantics, &|callee, a| eval_as(programs, callee, a, semantics))
}

/// At least 300 elements per streaming input, special values (about half of
/// them, at positions that differ per input) and random bit patterns; and one
/// special value per scalar.
pub fn inputs(kernel: &Kernel, rng: &mut Rng) -> (Vec<Vec<f32>>, Vec<f32>) {
    let specials = special_values();
    let n = specials.len().max(300);
    let streams = (0..kernel.inputs().len())
        .map(|s| {
            (0..n)
                .map(|i| {
                    if i < specials.len() && rng.next_u64().is_multiple_of(2) {
                        specials[(i * (s + 1) * 7) % specials.len()]
                    } else {
                        f32::from_bits(rng.next_u64() as u32)
                    }
                })
                .collect()
        })
        .collect();
    let scalars = (0..kernel.scalars().len())
        .map(|_| specials[(rng.next_u64() % specials.len() as u64) as usize])
        .collect();
    (streams, scalars)
}

/// Fails with every disagreement found, if there is one.
fn assert_none(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn fused(isa: Isa) -> bool {
    !matches!(isa, Isa::Scalar | Isa::Sse2)
}

fn run(kernel: &Kernel, isa: Isa, streams: &[Vec<f32>], scalars: &[f32], len: usize, offset: usize) -> Vec<f32> {
    let inputs: Vec<&[f32]> = streams.iter().map(|s| &s[offset..offset + len]).collect();
    let mut out = vec![0.0; len];
    simdwise_runtime::run_with_isa(kernel, isa, &inputs, scalars, &mut out).unwrap();
    out
}

/// The smallest of `PARTS` (the failing kernel's sub-expressions, when
/// `FUZZ_MINIMISE` named it) for which `disagreement` (the variant's result
/// and the interpreter's, where they differ) finds one on `args`; else how
/// to rerun with them (`features`: the cargo flags the test needs).
fn minimised(
    name: &str,
    args: &[f32],
    features: &str,
    disagreement: impl Fn(&'static Kernel, &[f32]) -> Option<(f32, f32)>,
) -> String {
    let prefix = format!("{name}_m");
    let parts: Vec<_> = PARTS.iter().filter(|(k, _)| k.name().starts_with(&prefix)).collect();
    if parts.is_empty() {
        return format!(
            "minimise: FUZZ_MINIMISE={name} FUZZ_SEED={SEED} FUZZ_KERNELS={COUNT} cargo test --release -p simdwise-fuzz{features}"
        );
    }
    for &(kernel, source) in parts {
        if let Some((got, want)) = disagreement(kernel, args) {
            return format!(
                "minimised: the smallest sub-expression that disagrees gives {got:e} ({:#010x}), the interpreter {want:e} ({:#010x}):\n{source}",
                got.to_bits(),
                want.to_bits()
            );
        }
    }
    "minimised: every sub-expression agrees; the disagreement needs the whole kernel".to_owned()
}

#[test]
fn every_variant_matches_the_interpreter() {
    let programs = programs();
    let mut rng = Rng::new(0xf022);
    let mut failures = Vec::new();
    let mut skipped = Vec::new();
    for (kernel, source) in KERNELS {
        let (streams, scalars) = inputs(kernel, &mut rng);
        let n = streams[0].len();
        for isa in kernel.isas() {
            if !isa.is_available() {
                skipped.push(format!("{} [{isa}]", kernel.name()));
                continue;
            }
            let full = run(kernel, isa, &streams, &scalars, n, 0);
            for i in 0..n {
                let mut args: Vec<f32> = streams.iter().map(|s| s[i]).collect();
                args.extend(&scalars);
                let want = eval(&programs, kernel.name(), &args, fused(isa));
                if !same_result(full[i], want) {
                    failures.push(format!(
                        "{} [{isa}] at {args:?}: {:e} ({:#010x}), the interpreter says {want:e} ({:#010x})\n{source}{}",
                        kernel.name(),
                        full[i],
                        full[i].to_bits(),
                        want.to_bits(),
                        minimised(kernel.name(), &args, "", |part, args| {
                            let (streams, scalars) = args.split_at(part.inputs().len());
                            let streams: Vec<Vec<f32>> = streams.iter().map(|&v| vec![v]).collect();
                            let got = run(part, isa, &streams, scalars, 1, 0)[0];
                            let want = eval(&programs, part.name(), args, fused(isa));
                            (!same_result(got, want)).then_some((got, want))
                        })
                    ));
                    break;
                }
            }
            // Position never matters: every length and offset, and a parallel call.
            'layout: for offset in 0..4 {
                for len in 0..=130.min(n - offset) {
                    let part = run(kernel, isa, &streams, &scalars, len, offset);
                    if let Some(i) = (0..len).find(|&i| !same_result(part[i], full[offset + i])) {
                        failures.push(format!(
                            "{} [{isa}] len {len} offset {offset} element {i}: {:#010x}, in the full buffer {:#010x}",
                            kernel.name(),
                            part[i].to_bits(),
                            full[offset + i].to_bits()
                        ));
                        break 'layout;
                    }
                }
            }
            let big: Vec<Vec<f32>> = streams
                .iter()
                .map(|s| s.iter().copied().cycle().take(n * 700 + 3).collect())
                .collect();
            let parallel = run(kernel, isa, &big, &scalars, n * 700 + 3, 0);
            if let Some(i) = (0..parallel.len()).find(|&i| !same_result(parallel[i], full[i % n])) {
                failures.push(format!(
                    "{} [{isa}] element {i} of a parallel call: {:#010x}, in the full buffer {:#010x}",
                    kernel.name(),
                    parallel[i].to_bits(),
                    full[i % n].to_bits()
                ));
            }
        }
    }
    if !skipped.is_empty() {
        println!(
            "SKIPPED, not on this CPU: {} variants, e.g. {}",
            skipped.len(),
            skipped[0]
        );
    }
    println!("{} kernels checked", KERNELS.len());
    assert_none(&failures);
}

/// Every generated shader on the wgpu adapter at hand (lavapipe in CI),
/// against the interpreter with the shader's semantics (`with_f64` and
/// `with_fma` take their second value). WGSL leaves three things to the
/// implementation, so a result must equal the interpreter's under one of
/// their combinations, bit for bit: `fma` rounded once or twice; subnormals
/// flushed to zero or kept; and, where a value overflows or is NaN, the
/// result is indeterminate, so inputs are finite and normal and a case whose
/// interpretation (either rounding) meets an infinity or NaN is counted, not
/// compared. Lengths that are not a multiple of the workgroup must give the
/// full buffer's results.
#[cfg(feature = "gpu")]
#[test]
fn every_shader_matches_the_interpreter() {
    let gpu = match simdwise_runtime::Gpu::new() {
        Ok(gpu) => gpu,
        Err(e) => {
            println!("SKIPPED, no GPU adapter ({e}): {} shaders", KERNELS.len());
            return;
        }
    };
    println!("adapter: {}", gpu.adapter());
    let programs = programs();
    let mut rng = Rng::new(0x9a11);
    let mut failures = Vec::new();
    let (mut compared, mut indeterminate) = (0usize, 0usize);
    let semantics = |fused, flush_subnormals| Semantics {
        fused,
        gpu: true,
        flush_subnormals,
    };
    let modes = [
        semantics(false, false),
        semantics(true, false),
        semantics(false, true),
        semantics(true, true),
    ];
    for (kernel, source) in KERNELS {
        let (streams, scalars) = finite_inputs(kernel, &mut rng);
        let n = streams[0].len();
        let inputs: Vec<&[f32]> = streams.iter().map(Vec::as_slice).collect();
        let mut full = vec![0.0; n];
        if let Err(e) = gpu.run(kernel, &inputs, &scalars, &mut full) {
            failures.push(format!("{}: the shader did not run: {e}\n{source}", kernel.name()));
            continue;
        }
        // The interpretations, or None where one meets an infinity or NaN.
        let wants = |k: &Kernel, args: &[f32]| {
            let wants: Vec<f32> = modes.iter().map(|&m| eval_as(&programs, k.name(), args, m)).collect();
            wants.iter().all(|w| w.is_finite()).then_some(wants)
        };
        for i in 0..n {
            let mut args: Vec<f32> = streams.iter().map(|s| s[i]).collect();
            args.extend(&scalars);
            let Some(want) = wants(kernel, &args) else {
                indeterminate += 1;
                continue;
            };
            compared += 1;
            if !want.iter().any(|&w| same_result(full[i], w)) {
                failures.push(format!(
                    "{} [wgsl] at {args:?}: {:e} ({:#010x}), the interpreter says {:e} ({:#010x}) or, fused, {:e}\n{source}{}",
                    kernel.name(),
                    full[i],
                    full[i].to_bits(),
                    want[0],
                    want[0].to_bits(),
                    want[1],
                    minimised(kernel.name(), &args, " --features gpu", |part, args| {
                        let want = wants(part, args)?;
                        let (streams, scalars) = args.split_at(part.inputs().len());
                        let mut got = [0.0];
                        gpu.run(part, &streams.iter().map(std::slice::from_ref).collect::<Vec<_>>(), scalars, &mut got)
                            .ok()?;
                        (!want.iter().any(|&w| same_result(got[0], w))).then_some((got[0], want[0]))
                    })
                ));
                break;
            }
        }
        for len in [1, 63, 64, 65, 255, 257] {
            let part: Vec<&[f32]> = streams.iter().map(|s| &s[1..1 + len.min(n - 1)]).collect();
            let mut out = vec![0.0; part[0].len()];
            gpu.run(kernel, &part, &scalars, &mut out).unwrap();
            if let Some(i) = (0..out.len()).find(|&i| !same_result(out[i], full[1 + i])) {
                failures.push(format!(
                    "{} [wgsl] len {len} element {i}: {:#010x}, in the full buffer {:#010x}",
                    kernel.name(),
                    out[i].to_bits(),
                    full[1 + i].to_bits()
                ));
            }
        }
    }
    println!(
        "{} shaders, {compared} results compared, {indeterminate} indeterminate (an infinity or NaN on the way)",
        KERNELS.len()
    );
    assert_none(&failures);
}

/// 300 finite normal values (and zeros) per streaming input, and one per
/// scalar: WGSL promises nothing for infinities and NaN.
#[cfg(feature = "gpu")]
fn finite_inputs(kernel: &Kernel, rng: &mut Rng) -> (Vec<Vec<f32>>, Vec<f32>) {
    let mut normal = || loop {
        let x = f32::from_bits(rng.next_u64() as u32);
        // Mostly moderate magnitudes, where the kernels' arithmetic stays finite.
        let x = if rng.next_u64().is_multiple_of(4) {
            x
        } else {
            x % 1000.0
        };
        if x.is_normal() || x == 0.0 {
            return x;
        }
    };
    let streams = (0..kernel.inputs().len())
        .map(|_| (0..300).map(|_| normal()).collect())
        .collect();
    let scalars = (0..kernel.scalars().len()).map(|_| normal()).collect();
    (streams, scalars)
}
