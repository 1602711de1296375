//! An element's result never depends on where it sits: every length 0..=130,
//! unaligned starts, in place or not, inline or split across threads, each
//! variant gives the same bits as on the full buffer and writes nothing past
//! the end. Each property x kernel x ISA is its own named test
//! (`every_length::tanh::avx2`); ISAs this CPU lacks show as ignored.

mod common;

use common::{Case, Rng, cases, per_isa_trials};
use libtest_mimic::{Arguments, Failed, Trial};
use simdwise::Isa;
use simdwise::runtime::Plan;
use simdwise_testkit::same_result;

fn inputs(case: &common::Case, n: usize) -> (Vec<f32>, Vec<f32>) {
    let mut rng = Rng::new(7);
    (rng.vec(n, case.range), rng.vec(n, case.range))
}

fn run(case: &common::Case, isa: Isa, a: &[f32], b: &[f32], out: &mut [f32]) {
    let binary = case.kernel.inputs().len() == 2;
    let ins: Vec<&[f32]> = if binary { vec![a, b] } else { vec![a] };
    (case.run)(isa, &ins, out).unwrap();
}

fn every_length_and_offset_matches_the_full_buffer(case: &Case, isa: Isa) -> Result<(), Failed> {
    const SENTINEL: f32 = -12345.5;
    let (a, b) = inputs(case, 256);
    let mut full = vec![0.0; a.len()];
    run(case, isa, &a, &b, &mut full);
    for offset in 0..4 {
        for len in 0..=130 {
            let mut out = vec![SENTINEL; len + 16];
            run(
                case,
                isa,
                &a[offset..offset + len],
                &b[offset..offset + len],
                &mut out[..len],
            );
            for i in 0..len {
                assert_eq!(
                    out[i].to_bits(),
                    full[offset + i].to_bits(),
                    "{} [{isa}] len {len} offset {offset} element {i}",
                    case.kernel.name()
                );
            }
            assert!(
                out[len..].iter().all(|&v| v == SENTINEL),
                "{} [{isa}] wrote past the end",
                case.kernel.name()
            );
        }
    }
    Ok(())
}

fn scalar_function_matches_the_portable_variant() {
    let mut rng = Rng::new(3);
    let x = rng.vec(1000, (-20.0, 20.0));
    let mut out = vec![0.0; x.len()];
    simdwise::tanh::with_isa(Isa::Scalar, &x, &mut out).unwrap();
    for (xi, oi) in x.iter().zip(&out) {
        assert_eq!(simdwise::tanh::scalar(*xi).to_bits(), oi.to_bits());
    }
    simdwise::leaky_relu::with_isa(Isa::Scalar, &x, 0.2, &mut out).unwrap();
    for (xi, oi) in x.iter().zip(&out) {
        assert_eq!(simdwise::leaky_relu::scalar(*xi, 0.2).to_bits(), oi.to_bits());
    }
}

fn in_place_matches_out_of_place() {
    let mut rng = Rng::new(11);
    for n in [0, 1, 17, 1000, 300_001] {
        let x = rng.vec(n, (-10.0, 10.0));
        let y = rng.vec(n, (-10.0, 10.0));

        let mut expected = vec![0.0; n];
        simdwise::gelu(&x, &mut expected).unwrap();
        let mut io = x.clone();
        simdwise::gelu::in_place(&mut io).unwrap();
        assert_eq!(io, expected, "gelu n={n}");

        simdwise::add(&x, &y, &mut expected).unwrap();
        let mut io = x.clone();
        simdwise::add::in_place(&mut io, &y).unwrap();
        assert_eq!(io, expected, "add n={n}");

        simdwise::leaky_relu(&x, 0.3, &mut expected).unwrap();
        let mut io = x.clone();
        simdwise::leaky_relu::in_place(&mut io, 0.3).unwrap();
        assert_eq!(io, expected, "leaky_relu n={n}");
    }
}

fn every_plan_gives_the_same_bits(case: &Case, isa: Isa) -> Result<(), Failed> {
    use simdwise::runtime::{Plan, run_planned};
    // Odd length and an unaligned start: streaming has a head, a body and a tail.
    let n = 300_001;
    let (a, b) = inputs(case, n + 3);
    let ins: Vec<&[f32]> = if case.kernel.inputs().len() == 2 {
        vec![&a[3..], &b[3..]]
    } else {
        vec![&a[3..]]
    };
    let scalars: Vec<f32> = case
        .kernel
        .scalars()
        .iter()
        .map(|_| simdwise::reference::SCALAR_ARG)
        .collect();
    let mut expected = vec![0.0; n];
    run_planned(case.kernel, isa, Plan::INLINE, &ins, &scalars, &mut expected).unwrap();
    let plans = [
        Plan {
            chunk: None,
            streaming: true,
        },
        Plan::parallel(case.kernel, n, false),
        Plan::parallel(case.kernel, n, true),
        Plan {
            chunk: Some(64),
            streaming: true,
        },
    ];
    for plan in plans {
        let mut out = vec![0.0f32; n + 1];
        run_planned(case.kernel, isa, plan, &ins, &scalars, &mut out[1..]).unwrap();
        assert!(
            out[1..].iter().zip(&expected).all(|(o, e)| o.to_bits() == e.to_bits()),
            "{} [{isa}] {plan:?} differs from inline",
            case.kernel.name()
        );
    }
    Ok(())
}

fn concurrent_callers_inside_and_outside_the_pool_finish() {
    use rayon::prelude::*;
    let n = 1 << 20;
    let x: Vec<f32> = (0..n).map(|i| (i % 2000) as f32 / 100.0 - 10.0).collect();
    let mut expected = vec![0.0; n];
    simdwise::tanh::with_isa(Isa::Scalar, &x, &mut expected).unwrap();
    let check = |out: &[f32]| {
        assert!(
            out.iter()
                .zip(&expected)
                .all(|(o, e)| (o - e).abs() <= 4.0 * f32::EPSILON)
        );
    };
    std::thread::scope(|s| {
        // Plain threads, each splitting its own calls across the shared pool...
        for _ in 0..6 {
            s.spawn(|| {
                let mut out = vec![0.0; n];
                for _ in 0..5 {
                    simdwise::tanh(&x, &mut out).unwrap();
                    check(&out);
                }
            });
        }
        // ...while pool workers call kernels too (nested parallelism).
        s.spawn(|| {
            (0..16).into_par_iter().for_each(|_| {
                let mut out = vec![0.0; n];
                simdwise::tanh(&x, &mut out).unwrap();
                check(&out);
            });
        });
    });
}

fn large_inputs_split_across_threads_match_inline_results() {
    let n = 3_000_017;
    for case in cases() {
        assert!(Plan::auto(case.kernel, n).chunk.is_some() || rayon::current_num_threads() < 2);
        let (a, b) = inputs(&case, n);
        let mut parallel = vec![0.0; n];
        run(&case, Isa::best(), &a, &b, &mut parallel);
        // The whole buffer inline on this thread: the reference for the split run.
        let mut inline = vec![0.0; n];
        let ins: Vec<&[f32]> = if case.kernel.inputs().len() == 2 {
            vec![&a, &b]
        } else {
            vec![&a]
        };
        let scalars = vec![simdwise::reference::SCALAR_ARG; case.kernel.scalars().len()];
        simdwise::runtime::run_planned(case.kernel, Isa::best(), Plan::INLINE, &ins, &scalars, &mut inline).unwrap();
        assert!(
            parallel.iter().zip(&inline).all(|(p, i)| p.to_bits() == i.to_bits()),
            "{}: parallel and inline results differ",
            case.kernel.name()
        );
    }
}

/// Many short parallel calls back to back from several threads: helpers left
/// awake by one call join the next one through the runtime's job slot, calls
/// that find the slot taken use scoped helpers; every result must be complete.
fn back_to_back_parallel_calls_from_many_threads_are_complete() {
    let n = 10_007;
    let x: Vec<f32> = (0..n).map(|i| i as f32 - 5000.0).collect();
    let expected: Vec<f32> = x.iter().map(|v| v.max(0.0)).collect();
    let plan = Plan::parallel(&simdwise::relu::KERNEL, n, false);
    std::thread::scope(|s| {
        for t in 0..4 {
            let (x, expected) = (&x, &expected);
            s.spawn(move || {
                let mut out = vec![f32::NAN; n];
                for call in 0..2_000 {
                    out.fill(f32::NAN);
                    simdwise::runtime::run_planned(&simdwise::relu::KERNEL, Isa::best(), plan, &[x], &[], &mut out)
                        .unwrap();
                    assert!(out == *expected, "thread {t}, call {call}: incomplete or wrong output");
                }
            });
        }
    });
}

/// Special inputs (NaN of both signs, infinities, zeros, subnormals) at every
/// position give what they give on the full buffer: the same bits, except
/// that a NaN result is only required to be NaN. Its sign may differ: x86
/// returns the negative default NaN for an invalid operation and propagates
/// the first operand's NaN, and the compiler may commute the operands of `+`
/// and `*` differently in the unrolled loop, the tail and other inlined copies
/// (the differential fuzzer found such kernels; the README says so).
fn special_inputs_at_every_position_match_the_full_buffer(case: &Case, isa: Isa) -> Result<(), Failed> {
    let mut a = common::special_values();
    a.extend([f32::from_bits(0xffc0_0000), f32::from_bits(0x7fc0_0001), -f32::NAN]);
    let b: Vec<f32> = a.iter().rev().copied().collect();
    let n = a.len();
    let mut full = vec![0.0; n];
    run(case, isa, &a, &b, &mut full);
    for shift in 1..20 {
        let (a2, b2): (Vec<f32>, Vec<f32>) = (
            a[n - shift..].iter().chain(&a[..n - shift]).copied().collect(),
            b[n - shift..].iter().chain(&b[..n - shift]).copied().collect(),
        );
        let mut out = vec![0.0; n];
        run(case, isa, &a2, &b2, &mut out);
        for i in 0..n {
            let j = (i + n - shift) % n;
            assert!(
                same_result(out[i], full[j]),
                "{} [{isa}] inputs ({:e}, {:e}) at {i}: {:#010x}, at {j}: {:#010x}",
                case.kernel.name(),
                a2[i],
                b2[i],
                out[i].to_bits(),
                full[j].to_bits()
            );
        }
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let mut trials = per_isa_trials(&[
        ("every_length", every_length_and_offset_matches_the_full_buffer),
        ("every_plan", every_plan_gives_the_same_bits),
        ("special_inputs", special_inputs_at_every_position_match_the_full_buffer),
    ]);
    let plain: [(&str, fn()); 5] = [
        (
            "scalar_function_matches_the_portable_variant",
            scalar_function_matches_the_portable_variant,
        ),
        ("in_place_matches_out_of_place", in_place_matches_out_of_place),
        (
            "concurrent_callers_inside_and_outside_the_pool_finish",
            concurrent_callers_inside_and_outside_the_pool_finish,
        ),
        (
            "large_inputs_split_across_threads_match_inline_results",
            large_inputs_split_across_threads_match_inline_results,
        ),
        (
            "back_to_back_parallel_calls_from_many_threads_are_complete",
            back_to_back_parallel_calls_from_many_threads_are_complete,
        ),
    ];
    for (name, test) in plain {
        trials.push(Trial::test(name, move || {
            test();
            Ok(())
        }));
    }
    libtest_mimic::run(&args, trials).exit();
}
