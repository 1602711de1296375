//! Running a kernel over slices: argument checks, then the chosen variant
//! either inline on the calling thread or over L2-sized chunks on rayon.

use crate::dispatch::isa_for;
use crate::kernel::{Args, MAX_INPUTS, MAX_SCALARS};
use crate::{Isa, Kernel, KernelError, cache, calibration, parallel};

/// Runs `kernel` with the dispatched ISA: `out[i] = f(inputs[..][i], scalars)`.
pub fn run(kernel: &Kernel, inputs: &[&[f32]], scalars: &[f32], out: &mut [f32]) -> Result<(), KernelError> {
    let isa = isa_for(kernel, out.len())?;
    let args = prepare(kernel, None, inputs, scalars, out.as_mut_ptr(), out.len())?;
    execute(kernel, isa, None, args)
}

/// Runs `kernel` with the variant for `isa`, which must exist and run on this CPU.
pub fn run_with_isa(
    kernel: &Kernel,
    isa: Isa,
    inputs: &[&[f32]],
    scalars: &[f32],
    out: &mut [f32],
) -> Result<(), KernelError> {
    run_on(kernel, isa, None, inputs, scalars, out)
}

/// `run_with_isa` with an explicit plan (`None`: the runtime's choice).
fn run_on(
    kernel: &Kernel,
    isa: Isa,
    plan: Option<Plan>,
    inputs: &[&[f32]],
    scalars: &[f32],
    out: &mut [f32],
) -> Result<(), KernelError> {
    isa.check_available()?;
    let args = prepare(kernel, None, inputs, scalars, out.as_mut_ptr(), out.len())?;
    execute(kernel, isa, plan, args)
}

/// Runs `kernel` in place: `io` is the first input and the output.
pub fn run_in_place(kernel: &Kernel, io: &mut [f32], others: &[&[f32]], scalars: &[f32]) -> Result<(), KernelError> {
    let isa = isa_for(kernel, io.len())?;
    let ptr = io.as_mut_ptr();
    let args = prepare(kernel, Some(ptr.cast_const()), others, scalars, ptr, io.len())?;
    execute(kernel, isa, None, args)
}

/// Checks that the call matches the kernel: input and scalar counts, and every
/// input as long as the output. `in_place` counts the output as the first input.
/// `inputs`: the streaming inputs' lengths (after the one overwritten in place).
pub(crate) fn check_arguments(
    kernel: &Kernel,
    in_place: bool,
    inputs: impl ExactSizeIterator<Item = usize>,
    scalars: &[f32],
    len: usize,
) -> Result<(), KernelError> {
    let given = usize::from(in_place) + inputs.len();
    if given != kernel.inputs().len() || scalars.len() != kernel.scalars().len() || given > MAX_INPUTS {
        return Err(KernelError::ArgumentCount {
            kernel: kernel.name(),
            inputs: (kernel.inputs().len(), given),
            scalars: (kernel.scalars().len(), scalars.len()),
        });
    }
    let first = usize::from(in_place);
    for (slot, input_len) in inputs.enumerate() {
        if input_len != len {
            return Err(KernelError::LengthMismatch {
                kernel: kernel.name(),
                input: kernel.inputs()[first + slot],
                input_len,
                output_len: len,
            });
        }
    }
    Ok(())
}

/// Checks the call, then packs the raw pointers.
fn prepare(
    kernel: &Kernel,
    in_place: Option<*const f32>,
    inputs: &[&[f32]],
    scalars: &[f32],
    out: *mut f32,
    len: usize,
) -> Result<Args, KernelError> {
    check_arguments(kernel, in_place.is_some(), inputs.iter().map(|s| s.len()), scalars, len)?;
    let mut ptrs = [std::ptr::null(); MAX_INPUTS];
    let first = usize::from(in_place.is_some());
    if let Some(p) = in_place {
        ptrs[0] = p;
    }
    for (slot, input) in inputs.iter().enumerate() {
        ptrs[first + slot] = input.as_ptr();
    }
    let mut packed = [0.0; MAX_SCALARS];
    packed[..scalars.len()].copy_from_slice(scalars);
    Ok(Args {
        inputs: ptrs,
        out,
        len,
        scalars: packed,
    })
}

fn execute(kernel: &Kernel, isa: Isa, plan: Option<Plan>, args: Args) -> Result<(), KernelError> {
    let plan = plan.unwrap_or_else(|| Plan::auto(kernel, args.len));
    let cached = kernel.variants().get(isa).ok_or(KernelError::NoVariant {
        kernel: kernel.name(),
        isa,
    })?;
    let variant = if plan.streaming {
        kernel.variants().get_streaming(isa).unwrap_or(cached)
    } else {
        cached
    };
    match plan.chunk {
        // SAFETY: `prepare` checked that every pointer covers `args.len`
        // elements; `isa` passed `check_available` (forced) or was detected.
        None => unsafe { variant(&args) },
        Some(chunk) => parallel::run(variant, args, chunk),
    }
    Ok(())
}

/// How one call runs: inline or over chunks of `chunk` elements on rayon, and
/// with cached or non-temporal (streaming) stores.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    pub chunk: Option<usize>,
    pub streaming: bool,
}

impl Plan {
    /// The runtime's choice for `len` elements of `kernel`, from the kernel's
    /// cost and the calibrated machine constants.
    pub fn auto(kernel: &Kernel, len: usize) -> Plan {
        let inline_ns = len as f64 * estimated_ns_per_element(kernel);
        let c = &calibration::current().0;
        let parallel = rayon::current_num_threads() > 1 && inline_ns >= c.parallel_min_ns;
        Plan {
            chunk: parallel.then(|| Plan::chunk_len(kernel, len)),
            streaming: len * 4 >= c.stream_min_bytes,
        }
    }

    /// Inline, cached stores.
    pub const INLINE: Plan = Plan {
        chunk: None,
        streaming: false,
    };

    /// Split across threads in L2-sized chunks, with cached or streaming stores.
    pub fn parallel(kernel: &Kernel, len: usize, streaming: bool) -> Plan {
        Plan {
            chunk: Some(Plan::chunk_len(kernel, len)),
            streaming,
        }
    }

    /// The plans [`Plan::auto`] chooses between for `len` elements, named:
    /// inline, parallel, and parallel with streaming stores. For benchmarks
    /// and for checking the automatic choice against each.
    pub fn choices(kernel: &Kernel, len: usize) -> [(&'static str, Plan); 3] {
        [
            ("inline", Plan::INLINE),
            ("parallel", Plan::parallel(kernel, len, false)),
            ("parallel+streaming", Plan::parallel(kernel, len, true)),
        ]
    }

    /// Chunks whose inputs and output fill half the L2 of the core running them,
    /// and at least one per thread; multiples of whole unrolled AVX-512 blocks
    /// and cache lines (64 elements), so chunk starts keep the output's alignment.
    fn chunk_len(kernel: &Kernel, len: usize) -> usize {
        let fits_l2 = cache::l2_bytes() / 2 / bytes_per_element(kernel);
        let per_thread = len.div_ceil(rayon::current_num_threads());
        let chunk = fits_l2.min(per_thread).max(CHUNK_ALIGN);
        chunk.div_ceil(CHUNK_ALIGN) * CHUNK_ALIGN
    }
}

/// Runs `kernel` with `isa` and an explicit plan, for benchmarks and calibration.
pub fn run_planned(
    kernel: &Kernel,
    isa: Isa,
    plan: Plan,
    inputs: &[&[f32]],
    scalars: &[f32],
    out: &mut [f32],
) -> Result<(), KernelError> {
    run_on(kernel, isa, Some(plan), inputs, scalars, out)
}

/// Chunk lengths are multiples of this many elements.
const CHUNK_ALIGN: usize = 64;

fn bytes_per_element(kernel: &Kernel) -> usize {
    4 * (kernel.inputs().len() + 1)
}

/// Inline time per element: the larger of memory traffic and arithmetic, with
/// the calibrated constants.
pub fn estimated_ns_per_element(kernel: &Kernel) -> f64 {
    let c = &calibration::current().0;
    let memory = bytes_per_element(kernel) as f64 * c.ns_per_byte;
    let compute = f64::from(kernel.cost()) * c.ns_per_cost;
    memory.max(compute)
}
