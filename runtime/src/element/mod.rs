//! Element types: every kernel runs on `f32`, `half::f16` and `half::bf16`
//! slices, in any mix (bf16 in, f32 out, ...). Computation stays in f32, so
//! one kernel definition serves all of them: half-precision inputs are widened
//! (exactly) a tile at a time, the f32 variant runs on the tile, and the
//! result is rounded once to the output type, to nearest-even (NaN stays NaN,
//! overflow gives infinity), with the conversions of the variant's ISA
//! (`convert`). All-f32 calls go straight to the f32 path.

mod convert;
pub mod lanes;

use half::{bf16, f16};
use std::sync::{Mutex, PoisonError};

use crate::exec::{Plan, check_arguments, run_planned};
use crate::{HalfArgs, HalfFn, Isa, Kernel, KernelError, MAX_INPUTS, MAX_SCALARS, isa_for};

/// Elements per tile: its f32 copies of the inputs and the output, and the
/// half-precision data, stay in L1 (with 4096, a bf16 `add` at 1M elements
/// took 0.26 ns/element; with 1024, 0.15).
const TILE: usize = 1024;

/// A kernel input of any element type.
#[derive(Clone, Copy, Debug)]
pub enum Source<'a> {
    F32(&'a [f32]),
    F16(&'a [f16]),
    Bf16(&'a [bf16]),
}

/// A kernel output of any element type.
#[derive(Debug)]
pub enum Target<'a> {
    F32(&'a mut [f32]),
    F16(&'a mut [f16]),
    Bf16(&'a mut [bf16]),
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for half::f16 {}
    impl Sealed for half::bf16 {}
}

/// An element type, named at run time (a GPU buffer's contents).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    F32,
    F16,
    Bf16,
}

impl Format {
    pub const fn name(self) -> &'static str {
        match self {
            Format::F32 => "f32",
            Format::F16 => "f16",
            Format::Bf16 => "bf16",
        }
    }

    pub const fn bytes(self) -> usize {
        match self {
            Format::F32 => 4,
            Format::F16 | Format::Bf16 => 2,
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The element types a kernel reads and writes: `f32`, `half::f16`,
/// `half::bf16`.
pub trait Element: Copy + sealed::Sealed {
    const FORMAT: Format;
    fn source(values: &[Self]) -> Source<'_>;
    fn target(values: &mut [Self]) -> Target<'_>;
    /// The value's bits, widened to 32 (a half format's in the low 16).
    fn to_bits32(self) -> u32;
    /// The value whose bits (for a half format, the low 16) are `bits`.
    fn from_bits32(bits: u32) -> Self;
}

impl Element for f32 {
    const FORMAT: Format = Format::F32;
    fn to_bits32(self) -> u32 {
        self.to_bits()
    }
    fn from_bits32(bits: u32) -> f32 {
        f32::from_bits(bits)
    }
    #[inline]
    fn source(values: &[f32]) -> Source<'_> {
        Source::F32(values)
    }
    #[inline]
    fn target(values: &mut [f32]) -> Target<'_> {
        Target::F32(values)
    }
}

impl Element for f16 {
    const FORMAT: Format = Format::F16;
    fn to_bits32(self) -> u32 {
        u32::from(self.to_bits())
    }
    fn from_bits32(bits: u32) -> f16 {
        f16::from_bits(bits as u16)
    }
    fn source(values: &[f16]) -> Source<'_> {
        Source::F16(values)
    }
    fn target(values: &mut [f16]) -> Target<'_> {
        Target::F16(values)
    }
}

impl Element for bf16 {
    const FORMAT: Format = Format::Bf16;
    fn to_bits32(self) -> u32 {
        u32::from(self.to_bits())
    }
    fn from_bits32(bits: u32) -> bf16 {
        bf16::from_bits(bits as u16)
    }
    fn source(values: &[bf16]) -> Source<'_> {
        Source::Bf16(values)
    }
    fn target(values: &mut [bf16]) -> Target<'_> {
        Target::Bf16(values)
    }
}

impl<'a> Source<'a> {
    pub fn len(&self) -> usize {
        match self {
            Source::F32(s) => s.len(),
            Source::F16(s) => s.len(),
            Source::Bf16(s) => s.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn slice(self, start: usize, end: usize) -> Source<'a> {
        match self {
            Source::F32(s) => Source::F32(&s[start..end]),
            Source::F16(s) => Source::F16(&s[start..end]),
            Source::Bf16(s) => Source::Bf16(&s[start..end]),
        }
    }

    fn format(&self) -> Format {
        match self {
            Source::F32(_) => Format::F32,
            Source::F16(_) => Format::F16,
            Source::Bf16(_) => Format::Bf16,
        }
    }

    /// The bits of a half-precision slice from `offset` on (`None` for f32
    /// or an offset past the end).
    fn half_bits(self, offset: usize) -> Option<*const u16> {
        match self {
            Source::F32(_) => None,
            Source::F16(s) => s.get(offset..).map(|s| s.as_ptr().cast()),
            Source::Bf16(s) => s.get(offset..).map(|s| s.as_ptr().cast()),
        }
    }

    /// The values as f32: the slice itself, or widened into `buffer`.
    fn widen<'b>(self, isa: Isa, buffer: &'b mut [f32]) -> &'b [f32]
    where
        'a: 'b,
    {
        match self {
            Source::F32(s) => s,
            Source::F16(s) => {
                convert::widen_f16(isa, s, &mut buffer[..s.len()]);
                &buffer[..s.len()]
            }
            Source::Bf16(s) => {
                convert::widen_bf16(isa, s, &mut buffer[..s.len()]);
                &buffer[..s.len()]
            }
        }
    }
}

impl Target<'_> {
    pub fn len(&self) -> usize {
        match self {
            Target::F32(s) => s.len(),
            Target::F16(s) => s.len(),
            Target::Bf16(s) => s.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn format(&self) -> Format {
        self.as_source().format()
    }

    /// The bits of a half-precision output.
    fn half_bits(&mut self) -> Option<*mut u16> {
        match self {
            Target::F32(_) => None,
            Target::F16(s) => Some(s.as_mut_ptr().cast()),
            Target::Bf16(s) => Some(s.as_mut_ptr().cast()),
        }
    }

    fn as_source(&self) -> Source<'_> {
        match self {
            Target::F32(s) => Source::F32(s),
            Target::F16(s) => Source::F16(s),
            Target::Bf16(s) => Source::Bf16(s),
        }
    }

    /// Splits into consecutive parts of `len` elements (the last shorter).
    fn chunks(&mut self, len: usize) -> Vec<Target<'_>> {
        match self {
            Target::F32(s) => s.chunks_mut(len).map(Target::F32).collect(),
            Target::F16(s) => s.chunks_mut(len).map(Target::F16).collect(),
            Target::Bf16(s) => s.chunks_mut(len).map(Target::Bf16).collect(),
        }
    }

    /// Stores f32 `values`, rounded once to the element type.
    fn narrow_from(&mut self, isa: Isa, start: usize, values: &[f32]) {
        let end = start + values.len();
        match self {
            Target::F32(s) => s[start..end].copy_from_slice(values),
            Target::F16(s) => convert::narrow_f16(isa, values, &mut s[start..end]),
            Target::Bf16(s) => convert::narrow_bf16(isa, values, &mut s[start..end]),
        }
    }
}

/// [`run`](crate::run) on any element types.
#[inline]
pub fn run_elements(kernel: &Kernel, inputs: &[Source], scalars: &[f32], out: Target) -> Result<(), KernelError> {
    match (out, all_f32(inputs)) {
        (Target::F32(out), Some((inputs, n))) => crate::run(kernel, &inputs[..n], scalars, out),
        (out, _) => {
            let isa = isa_for(kernel, out.len())?;
            mixed(kernel, isa, false, inputs, scalars, out)
        }
    }
}

/// [`run_with_isa`](crate::run_with_isa) on any element types.
#[inline]
pub fn run_elements_with_isa(
    kernel: &Kernel,
    isa: Isa,
    inputs: &[Source],
    scalars: &[f32],
    out: Target,
) -> Result<(), KernelError> {
    match (out, all_f32(inputs)) {
        (Target::F32(out), Some((inputs, n))) => crate::run_with_isa(kernel, isa, &inputs[..n], scalars, out),
        (out, _) => {
            isa.check_available()?;
            mixed(kernel, isa, false, inputs, scalars, out)
        }
    }
}

/// [`run_in_place`](crate::run_in_place) on any element types: `io` is the
/// first input and the output.
#[inline]
pub fn run_elements_in_place(
    kernel: &Kernel,
    io: Target,
    others: &[Source],
    scalars: &[f32],
) -> Result<(), KernelError> {
    match (io, all_f32(others)) {
        (Target::F32(io), Some((others, n))) => crate::run_in_place(kernel, io, &others[..n], scalars),
        (io, _) => {
            let isa = isa_for(kernel, io.len())?;
            mixed(kernel, isa, true, others, scalars, io)
        }
    }
}

/// The inputs as f32 slices, if they all are (without allocating: this is
/// the f32 calls' path).
#[inline]
fn all_f32<'a>(inputs: &[Source<'a>]) -> Option<([&'a [f32]; MAX_INPUTS], usize)> {
    let mut slices: [&[f32]; MAX_INPUTS] = [&[]; MAX_INPUTS];
    if inputs.len() > MAX_INPUTS {
        return None;
    }
    for (slot, input) in slices.iter_mut().zip(inputs) {
        match *input {
            Source::F32(s) => *slot = s,
            _ => return None,
        }
    }
    Some((slices, inputs.len()))
}

/// The half-precision path, checked first; `in_place`: `out` is also the
/// first input.
fn mixed(
    kernel: &Kernel,
    isa: Isa,
    in_place: bool,
    inputs: &[Source],
    scalars: &[f32],
    mut out: Target,
) -> Result<(), KernelError> {
    let len = out.len();
    check_arguments(kernel, in_place, inputs.iter().map(Source::len), scalars, len)?;
    let format = out.format();
    let alike = inputs.iter().all(|s| s.format() == format);
    let half = kernel.variants().get_half(isa, format).filter(|_| alike);
    let call = Call {
        kernel,
        isa,
        half,
        in_place,
        inputs,
        scalars,
    };
    // The f32 path's plan, on the same estimate: its chunks, rounded to whole
    // vectors so that only the call's last chunk has a tail.
    let Some(chunk) = Plan::auto(kernel, len).chunk else {
        return call.part(&mut out, 0);
    };
    let chunk = chunk.next_multiple_of(isa.lanes());
    // Each part is taken by the one thread that claims its index; the locks
    // only make that visible to the compiler.
    let parts: Vec<Mutex<Target>> = out.chunks(chunk).into_iter().map(Mutex::new).collect();
    let failed = Mutex::new(None);
    crate::parallel::run_chunks(parts.len(), &|c| {
        let mut part = parts[c].lock().unwrap_or_else(PoisonError::into_inner);
        if let Err(e) = call.part(&mut part, c * chunk) {
            *failed.lock().unwrap_or_else(PoisonError::into_inner) = Some(e);
        }
    });
    match failed.into_inner().unwrap_or_else(PoisonError::into_inner) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// A checked call on half-precision data.
struct Call<'a, 'b> {
    kernel: &'a Kernel,
    isa: Isa,
    /// The variant's loop on this format, when every input and the output
    /// hold it.
    half: Option<HalfFn>,
    in_place: bool,
    inputs: &'a [Source<'b>],
    scalars: &'a [f32],
}

impl Call<'_, '_> {
    /// Runs `out` (elements `offset..` of the call): whole vectors through the
    /// variant's half-precision loop where it has one, the rest tile by tile.
    fn part(&self, out: &mut Target, offset: usize) -> Result<(), KernelError> {
        let mut done = 0;
        if let (Some(run), Some(dst)) = (self.half, out.half_bits()) {
            done = out.len() / self.isa.lanes() * self.isa.lanes();
            let mut args = HalfArgs {
                inputs: [std::ptr::null(); MAX_INPUTS],
                out: dst,
                len: done,
                scalars: [0.0; MAX_SCALARS],
            };
            let first = self.in_place.then_some(dst.cast_const());
            let others = self.inputs.iter().map(|s| s.half_bits(offset));
            for (slot, ptr) in args.inputs.iter_mut().zip(first.into_iter().chain(others.flatten())) {
                *slot = ptr;
            }
            args.scalars[..self.scalars.len()].copy_from_slice(self.scalars);
            if done > 0 {
                // SAFETY: `check_arguments` found every input as long as the
                // output and the scalars within bounds; each pointer starts
                // `offset` into its slice, whose part from there covers
                // `out.len() >= done` values (in place: the output's own);
                // `done` is a multiple of the lanes; `half` is the variant of
                // `isa`, which the caller checked this CPU has.
                unsafe { run(&args) };
            }
        }
        tiles(self, out, offset, done)
    }
}

/// One tile's f32 values, aligned like the vectors the variants load.
#[derive(Clone, Copy)]
#[repr(align(64))]
struct Tile([f32; TILE]);

/// Runs `out` from element `from` on (elements `offset + from..` of the
/// call) tile by tile.
fn tiles(call: &Call, out: &mut Target, offset: usize, from: usize) -> Result<(), KernelError> {
    let Call {
        kernel,
        isa,
        in_place,
        inputs,
        scalars,
        ..
    } = *call;
    if from == out.len() {
        return Ok(());
    }
    let mut buffers = [Tile([0f32; TILE]); MAX_INPUTS + 1];
    let (widened, result) = buffers.split_at_mut(MAX_INPUTS);
    let result = &mut result[0].0;
    for start in (from..out.len()).step_by(TILE) {
        let end = (start + TILE).min(out.len());
        let n = end - start;
        let others = inputs.iter().map(|s| s.slice(offset + start, offset + end));
        let mut tile: [&[f32]; MAX_INPUTS] = [&[]; MAX_INPUTS];
        // An f32 output that is not also an input takes the results directly.
        if let (false, Target::F32(out)) = (in_place, &mut *out) {
            let count = widen_all(isa, others, widened, &mut tile);
            run_planned(kernel, isa, Plan::INLINE, &tile[..count], scalars, &mut out[start..end])?;
            continue;
        }
        let first = in_place.then(|| out.as_source().slice(start, end));
        let count = widen_all(isa, first.into_iter().chain(others), widened, &mut tile);
        run_planned(kernel, isa, Plan::INLINE, &tile[..count], scalars, &mut result[..n])?;
        out.narrow_from(isa, start, &result[..n]);
    }
    Ok(())
}

/// Each source as f32 in `tile` (itself, or widened into a buffer); returns
/// how many there are.
fn widen_all<'t>(
    isa: Isa,
    sources: impl Iterator<Item = Source<'t>>,
    buffers: &'t mut [Tile],
    tile: &mut [&'t [f32]],
) -> usize {
    let mut count = 0;
    for ((source, buffer), slot) in sources.zip(buffers.iter_mut()).zip(tile.iter_mut()) {
        *slot = source.widen(isa, &mut buffer.0);
        count += 1;
    }
    count
}
