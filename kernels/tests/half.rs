//! Half-precision storage: every kernel, every variant, all 65,536 values of
//! f16 and of bf16 (binary kernels pair each with the values in reverse
//! order), against the f64 reference rounded to that format. Computation is
//! f32 and the store rounds once, so the error, in the output format's ulps,
//! is at most 0.5 plus the f32 kernel's bound scaled down by the difference
//! in precision (2^-13 for f16, 2^-16 for bf16). Then the mixed calls (bf16
//! in, f32 out and the reverse), in place, a parallel-size call, and errors.
//! One named test per kernel, ISA and format (`half::tanh::avx2::bf16`).

mod common;

use common::{HalfPrecision, cases};
use libtest_mimic::{Arguments, Failed, Trial};
use simdwise::Isa;
use simdwise::half::{bf16, f16};
use simdwise::reference::SCALAR_ARG;
use simdwise::runtime::{Element, Source, Target, run_elements_with_isa};

/// The inputs (as f32), the inputs reversed, and the kernel's results (as
/// f32) on every value of a format.
type Values = (Vec<f32>, Vec<f32>, Vec<f32>);

/// A half format: its precision, and the kernel on each of its values.
#[derive(Clone, Copy)]
struct Format {
    precision: HalfPrecision,
    every_value: fn(&'static simdwise::Kernel, Isa) -> Result<Values, Failed>,
}

const F16: Format = Format {
    precision: HalfPrecision::F16,
    every_value: |kernel, isa| every_value(kernel, isa, f16::from_bits, f16::to_f32),
};
const BF16: Format = Format {
    precision: HalfPrecision::BF16,
    every_value: |kernel, isa| every_value(kernel, isa, bf16::from_bits, bf16::to_f32),
};

/// The kernel on all 65,536 values of a format (binary kernels pair each
/// with the values in reverse order), widened to f32.
fn every_value<T: Element>(
    kernel: &'static simdwise::Kernel,
    isa: Isa,
    from_bits: fn(u16) -> T,
    to_f32: fn(T) -> f32,
) -> Result<Values, Failed> {
    let values: Vec<T> = (0..=u16::MAX).map(from_bits).collect();
    let reversed: Vec<T> = values.iter().rev().copied().collect();
    let mut out = values.clone();
    let inputs = [Element::source(&values[..]), Element::source(&reversed[..])];
    let scalars: Vec<f32> = kernel.scalars().iter().map(|_| SCALAR_ARG).collect();
    run_elements_with_isa(
        kernel,
        isa,
        &inputs[..kernel.inputs().len()],
        &scalars,
        Element::target(&mut out[..]),
    )
    .map_err(|e| e.to_string())?;
    let widen = |v: &[T]| v.iter().map(|&x| to_f32(x)).collect();
    Ok((widen(&values), widen(&reversed), widen(&out)))
}

fn check(case: &common::Case, isa: Isa, format: Format) -> Result<(), Failed> {
    let (widened, reversed_widened, results) = (format.every_value)(case.kernel, isa)?;
    let precision = format.precision;
    let bound = precision.bound(f64::from(case.kernel.max_ulp()));
    let (mut worst, mut at, mut rounded_once) = (0.0f64, 0usize, 0usize);
    for i in 0..widened.len() {
        let args = [f64::from(widened[i]), f64::from(reversed_widened[i])];
        let want = (case.reference)(&args[..case.kernel.inputs().len()]);
        let err = precision.ulp_error(f64::from(results[i]), want);
        if f64::from(results[i]) == (precision.round)(want) || (results[i].is_nan() && want.is_nan()) {
            rounded_once += 1;
        }
        if err > worst {
            (worst, at) = (err, i);
        }
    }
    if worst > bound {
        return Err(format!(
            "{}: {worst:.4} ulp at {:?} (got {:e}), bound {bound:.4}",
            precision.name,
            &[widened[at], reversed_widened[at]][..case.kernel.inputs().len()],
            results[at]
        )
        .into());
    }
    println!(
        "{} {} {}: worst {worst:.5} ulp, correctly rounded {rounded_once} of 65536",
        case.kernel.name(),
        isa.name(),
        precision.name
    );
    Ok(())
}

/// bf16 in, f32 out gives the f32 kernel's results on the widened values;
/// f32 in, bf16 out gives them rounded once; in place gives what out of place
/// does; a call long enough to run in parallel gives the same as short ones;
/// a length mismatch is an error that leaves the output alone.
fn mixed_calls() -> Result<(), Failed> {
    let n = 1_000_003;
    let x: Vec<bf16> = (0..n)
        .map(|i| bf16::from_f32(((i % 2001) as f32 - 1000.0) * 0.01))
        .collect();
    let wide: Vec<f32> = x.iter().map(|v| v.to_f32()).collect();
    let mut want = vec![0.0f32; n];
    simdwise::gelu(&wide, &mut want)?;

    let mut got = vec![0.0f32; n];
    simdwise::gelu(&x, &mut got)?;
    if let Some(i) = (0..n).find(|&i| got[i].to_bits() != want[i].to_bits()) {
        return Err(format!("bf16 in, f32 out, element {i}: {} vs {}", got[i], want[i]).into());
    }
    let mut narrow = vec![bf16::ZERO; n];
    simdwise::gelu(&wide, &mut narrow)?;
    if let Some(i) = (0..n).find(|&i| narrow[i] != bf16::from_f32(want[i])) {
        return Err(format!("f32 in, bf16 out, element {i}: {} vs {}", narrow[i], want[i]).into());
    }
    // f16 through the tiles both ways: bf16 in, f16 out, and back to f32.
    let mut half = vec![f16::ZERO; n];
    simdwise::gelu(&x, &mut half)?;
    if let Some(i) = (0..n).find(|&i| half[i] != f16::from_f32(want[i])) {
        return Err(format!("bf16 in, f16 out, element {i}: {} vs {}", half[i], want[i]).into());
    }
    let mut relu = vec![0.0f32; n];
    simdwise::relu(&half, &mut relu)?;
    if let Some(i) = (0..n).find(|&i| relu[i] != half[i].to_f32().max(0.0)) {
        return Err(format!("f16 in, f32 out, element {i}: {} vs {}", relu[i], half[i]).into());
    }
    let mut io = x.clone();
    simdwise::gelu::in_place(&mut io)?;
    if io != narrow {
        return Err("in place differs from out of place".into());
    }
    // Two inputs of different types.
    let y: Vec<f16> = (0..n).map(|i| f16::from_f32((i % 7) as f32 - 3.0)).collect();
    let mut sum = vec![0.0f32; n];
    simdwise::add(&x, &y, &mut sum)?;
    if let Some(i) = (0..n).find(|&i| sum[i] != x[i].to_f32() + y[i].to_f32()) {
        return Err(format!("bf16 + f16, element {i}").into());
    }
    let mut untouched = vec![bf16::ONE; 5];
    match simdwise::gelu(&x[..4], &mut untouched) {
        Err(simdwise::KernelError::LengthMismatch { .. }) if untouched == vec![bf16::ONE; 5] => {}
        other => return Err(format!("a length mismatch gave {other:?}, output {untouched:?}").into()),
    }
    // The source and target views agree with the slices.
    let (s, t) = (Element::source(&x[..]), Element::target(&mut io[..]));
    if !matches!((s, t), (Source::Bf16(a), Target::Bf16(b)) if a.len() == n && b.len() == n) {
        return Err("views of bf16 slices are not bf16".into());
    }
    Ok(())
}

/// Every input and the output of one half format take the variant's own
/// loop (conversions in registers) for whole vectors and the tiled path for
/// the rest: at every length up to a few vectors and at a parallel size,
/// the result is the f32 result on the widened values rounded once (in
/// place too, with the dispatched variant).
fn lengths<T: Element + PartialEq + std::fmt::Debug>(
    isa: Isa,
    from_f32: fn(f32) -> T,
    to_f32: fn(T) -> f32,
) -> Result<(), Failed> {
    for n in (0..=70).chain([1_000_003]) {
        let x: Vec<T> = (0..n)
            .map(|i| from_f32(((i * 37 % 2001) as f32 - 1000.0) * 0.01))
            .collect();
        let y: Vec<T> = (0..n).map(|i| from_f32((i % 13) as f32 * 0.7 - 4.0)).collect();
        let wide = |v: &[T]| v.iter().map(|&e| to_f32(e)).collect::<Vec<f32>>();
        let (xw, yw) = (wide(&x), wide(&y));
        for (kernel, inputs, wide_inputs) in [
            (&simdwise::tanh::KERNEL, vec![&x[..]], vec![&xw[..]]),
            (&simdwise::add::KERNEL, vec![&x[..], &y[..]], vec![&xw[..], &yw[..]]),
        ] {
            let mut want = vec![0.0f32; n];
            simdwise::runtime::run_with_isa(kernel, isa, &wide_inputs, &[], &mut want)?;
            let want: Vec<T> = want.into_iter().map(from_f32).collect();
            let sources: Vec<Source> = inputs.iter().map(|s| Element::source(s)).collect();
            let mut got = x.clone();
            run_elements_with_isa(kernel, isa, &sources, &[], Element::target(&mut got[..]))?;
            let mut io = x.clone();
            simdwise::runtime::run_elements_in_place(kernel, Element::target(&mut io[..]), &sources[1..], &[])?;
            if let Some(i) = (0..n).find(|&i| got[i] != want[i] || io[i] != want[i]) {
                return Err(format!(
                    "{} on {n} values, element {i}: {:?} (in place {:?}), expected {:?}",
                    kernel.name(),
                    got[i],
                    io[i],
                    want[i]
                )
                .into());
            }
        }
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let mut trials = vec![Trial::test("half::mixed_calls", mixed_calls)];
    for isa in simdwise::tanh::KERNEL.isas() {
        for trial in [
            Trial::test(format!("half::lengths::{}::f16", isa.name()), move || {
                lengths(isa, f16::from_f32, f16::to_f32)
            }),
            Trial::test(format!("half::lengths::{}::bf16", isa.name()), move || {
                lengths(isa, bf16::from_f32, bf16::to_f32)
            }),
        ] {
            trials.push(if isa.is_available() {
                trial
            } else {
                trial.with_ignored_flag(true).with_kind("not on this CPU")
            });
        }
    }
    for case in cases() {
        for isa in case.kernel.isas() {
            for format in [F16, BF16] {
                let name = format!(
                    "half::{}::{}::{}",
                    case.kernel.name(),
                    isa.name(),
                    format.precision.name
                );
                let trial = Trial::test(name, move || check(&case, isa, format));
                trials.push(if isa.is_available() {
                    trial
                } else {
                    trial.with_ignored_flag(true).with_kind("not on this CPU")
                });
            }
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
