//! The interpreter of every generated kernel, and their inputs.

use std::collections::HashMap;

use simdwise_codegen::Program;
use simdwise_fuzz::{KERNELS, PARTS};
use simdwise_runtime::Kernel;
use simdwise_testkit::{Rng, special_values};

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
    programs[name].eval(args, fused, &|callee, a| eval(programs, callee, a, fused))
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
