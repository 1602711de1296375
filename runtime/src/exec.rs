//! Running a kernel over slices: argument checks, then the chosen variant
//! either inline on the calling thread or over L2-sized chunks on rayon.

use rayon::prelude::*;

use crate::kernel::{Args, MAX_INPUTS, MAX_SCALARS, VariantFn};
use crate::{Isa, Kernel, KernelError, active_isa, cache};

/// Runs `kernel` with the dispatched ISA: `out[i] = f(inputs[..][i], scalars)`.
pub fn run(kernel: &Kernel, inputs: &[&[f32]], scalars: &[f32], out: &mut [f32]) -> Result<(), KernelError> {
    let isa = active_isa()?;
    let args = prepare(kernel, None, inputs, scalars, out.as_mut_ptr(), out.len())?;
    execute(kernel, isa, args)
}

/// Runs `kernel` with the variant for `isa`, which must exist and run on this CPU.
pub fn run_with_isa(
    kernel: &Kernel,
    isa: Isa,
    inputs: &[&[f32]],
    scalars: &[f32],
    out: &mut [f32],
) -> Result<(), KernelError> {
    isa.check_available()?;
    let args = prepare(kernel, None, inputs, scalars, out.as_mut_ptr(), out.len())?;
    execute(kernel, isa, args)
}

/// Runs `kernel` in place: `io` is the first input and the output.
pub fn run_in_place(kernel: &Kernel, io: &mut [f32], others: &[&[f32]], scalars: &[f32]) -> Result<(), KernelError> {
    let isa = active_isa()?;
    let ptr = io.as_mut_ptr();
    let args = prepare(kernel, Some(ptr.cast_const()), others, scalars, ptr, io.len())?;
    execute(kernel, isa, args)
}

/// Checks that the call matches the kernel: input and scalar counts, and every
/// input as long as the output. `in_place` counts the output as the first input.
pub(crate) fn check_arguments(
    kernel: &Kernel,
    in_place: bool,
    inputs: &[&[f32]],
    scalars: &[f32],
    len: usize,
) -> Result<(), KernelError> {
    let given = usize::from(in_place) + inputs.len();
    if given != kernel.inputs.len() || scalars.len() != kernel.scalars.len() || given > MAX_INPUTS {
        return Err(KernelError::ArgumentCount {
            kernel: kernel.name,
            inputs: (kernel.inputs.len(), given),
            scalars: (kernel.scalars.len(), scalars.len()),
        });
    }
    let first = usize::from(in_place);
    for (slot, input) in inputs.iter().enumerate() {
        if input.len() != len {
            return Err(KernelError::LengthMismatch {
                kernel: kernel.name,
                input: kernel.inputs[first + slot],
                input_len: input.len(),
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
    check_arguments(kernel, in_place.is_some(), inputs, scalars, len)?;
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

fn execute(kernel: &Kernel, isa: Isa, args: Args) -> Result<(), KernelError> {
    let variant = kernel.variants.get(isa).ok_or(KernelError::NoVariant {
        kernel: kernel.name,
        isa,
    })?;
    match chunk_len(kernel, args.len) {
        // SAFETY: `prepare` checked that every pointer covers `args.len`
        // elements; `isa` passed `check_available` (forced) or was detected.
        None => unsafe { variant(&args) },
        Some(chunk) => parallel(variant, args, chunk),
    }
    Ok(())
}

/// Raw pointers to disjoint chunks, shared with rayon workers.
struct Shared(Args);
// SAFETY: each worker reads and writes only its own chunk (see `parallel`), and
// the slices behind the pointers outlive the blocking parallel call.
unsafe impl Sync for Shared {}

impl Shared {
    // A method, so closures capture the whole `Shared` rather than its field.
    fn args(&self) -> &Args {
        &self.0
    }
}

fn parallel(variant: VariantFn, args: Args, chunk: usize) {
    let shared = Shared(args);
    let chunks = args.len.div_ceil(chunk);
    (0..chunks).into_par_iter().for_each(|c| {
        let start = c * chunk;
        let len = chunk.min(shared.args().len - start);
        // SAFETY: `start + len <= args.len`, chunks do not overlap, and the
        // variant is valid for this CPU as in `execute`. Variants do not panic.
        unsafe { variant(&shared.args().range(start, len)) }
    });
}

/// Work below this estimate stays on the calling thread: a rayon hand-off costs
/// a few microseconds, so splitting must save several times that.
const PARALLEL_MIN_NS: f64 = 25_000.0;
/// Chunks are multiples of this many elements: whole unrolled AVX-512 blocks
/// and whole cache lines, so only the last chunk has a tail.
const CHUNK_ALIGN: usize = 64;

/// `None` to run inline, or the chunk length for a parallel run.
pub fn chunk_len(kernel: &Kernel, len: usize) -> Option<usize> {
    let threads = rayon::current_num_threads();
    if threads < 2 || len < 2 * CHUNK_ALIGN {
        return None;
    }
    let bytes_per_element = 4 * (kernel.inputs.len() + 1);
    if len as f64 * estimated_ns_per_element(kernel, bytes_per_element) < PARALLEL_MIN_NS {
        return None;
    }
    let fits_l2 = cache::l2_bytes() / 2 / bytes_per_element;
    let per_thread = len.div_ceil(threads);
    let chunk = fits_l2.min(per_thread).max(CHUNK_ALIGN);
    Some(chunk.div_ceil(CHUNK_ALIGN) * CHUNK_ALIGN)
}

/// Single-thread time per element: the larger of memory traffic (≈ 20 GB/s
/// from L2/L3) and arithmetic (≈ 16 lanes × 1.5 vector ops per ns).
fn estimated_ns_per_element(kernel: &Kernel, bytes_per_element: usize) -> f64 {
    let memory = bytes_per_element as f64 / 20.0;
    let compute = f64::from(kernel.cost) / 24.0;
    memory.max(compute)
}
