//! The descriptor `#[kernel]` generates for each op, and the calling convention
//! of its variants.

use crate::{Format, Isa};

/// Most streaming inputs a kernel may have.
pub const MAX_INPUTS: usize = 3;
/// Most `#[scalar]` parameters a kernel may have.
pub const MAX_SCALARS: usize = 4;

/// What a variant receives: raw pointers, because the output may alias the
/// first input (in-place) and because the runtime hands disjoint sub-ranges to
/// different threads. `E` is the element in memory: `f32`, or `u16` for the
/// bits of f16 and bf16 values ([`HalfArgs`]).
#[derive(Clone, Copy, Debug)]
pub struct Args<E = f32> {
    /// The streaming inputs in declaration order; unused slots are null.
    pub inputs: [*const E; MAX_INPUTS],
    pub out: *mut E,
    pub len: usize,
    pub scalars: [f32; MAX_SCALARS],
}

impl<E> Args<E> {
    /// The sub-range `start..start + len`.
    ///
    /// # Safety
    /// `start + len` must not exceed `self.len`.
    pub unsafe fn range(&self, start: usize, len: usize) -> Args<E> {
        let mut inputs = self.inputs;
        for p in inputs.iter_mut().filter(|p| !p.is_null()) {
            // SAFETY: the caller keeps `start` within the buffer of `self.len` elements.
            *p = unsafe { p.add(start) };
        }
        Args {
            inputs,
            // SAFETY: as above.
            out: unsafe { self.out.add(start) },
            len,
            scalars: self.scalars,
        }
    }
}

/// What a variant's half-precision loop receives: the bits of f16 or bf16
/// values (every input and the output of one format).
pub type HalfArgs = Args<u16>;

/// A generated half-precision loop (`run_f16`, `run_bf16`).
///
/// # Safety
/// Every pointer in `HalfArgs` must be valid for `len` values, `len` a
/// multiple of the ISA's lanes, and the CPU must have the variant's ISA.
pub type HalfFn = unsafe fn(&HalfArgs);

/// The table column of a half format.
const fn half_slot(format: Format) -> usize {
    match format {
        Format::F16 => 0,
        Format::Bf16 => 1,
        Format::F32 => panic!("a half-precision loop takes f16 or bf16"),
    }
}

/// A generated variant.
///
/// # Safety
/// Every pointer in `Args` must be valid for `len` elements and the CPU must
/// have the variant's ISA.
pub type VariantFn = unsafe fn(&Args);

/// A kernel's variants indexed by [`Isa`]: dispatch is one load and a call.
/// ISAs with non-temporal stores also have a streaming form of their variant.
#[derive(Clone, Copy)]
pub struct Variants {
    table: [Option<VariantFn>; Isa::COUNT],
    streaming: [Option<VariantFn>; Isa::COUNT],
    /// By ISA, then f16 and bf16.
    half: [[Option<HalfFn>; 2]; Isa::COUNT],
    /// The same, compiled with the ISA's half-precision extension.
    half_native: [[Option<HalfFn>; 2]; Isa::COUNT],
}

impl Variants {
    /// A table with the portable variant, which every kernel has.
    ///
    /// # Safety
    /// `scalar` must be sound to call with any [`Args`] whose pointers are
    /// valid for `len` elements, for as many inputs and scalars as the
    /// [`Kernel`] this table goes into declares, and must need no CPU feature.
    pub const unsafe fn new(scalar: VariantFn) -> Variants {
        let mut table = [None; Isa::COUNT];
        table[Isa::Scalar as usize] = Some(scalar);
        Variants {
            table,
            streaming: [None; Isa::COUNT],
            half: [[None; 2]; Isa::COUNT],
            half_native: [[None; 2]; Isa::COUNT],
        }
    }

    /// Adds the variant for `isa`.
    ///
    /// # Safety
    /// As for [`Variants::new`], except that `variant` may need the CPU
    /// features of `isa` (the runtime checks them before every call).
    pub const unsafe fn with(mut self, isa: Isa, variant: VariantFn) -> Variants {
        self.table[isa as usize] = Some(variant);
        self
    }

    /// Adds the variant for `isa` that writes with non-temporal stores.
    ///
    /// # Safety
    /// As for [`Variants::with`].
    pub const unsafe fn with_streaming(mut self, isa: Isa, variant: VariantFn) -> Variants {
        self.streaming[isa as usize] = Some(variant);
        self
    }

    /// Adds the loop of `isa` on `format` data (f16 or bf16), converting in
    /// registers.
    ///
    /// # Safety
    /// As for [`Variants::with`], for [`HalfArgs`] of `format` values.
    pub const unsafe fn with_half(mut self, isa: Isa, format: Format, run: HalfFn) -> Variants {
        self.half[isa as usize][half_slot(format)] = Some(run);
        self
    }

    /// Adds the loop of `isa` on `format` data compiled with the ISA's
    /// half-precision extension ([`Isa::has_half_extension`]).
    ///
    /// # Safety
    /// As for [`Variants::with_half`]; `run` may also need the extension's
    /// features (the runtime checks them before every call).
    pub const unsafe fn with_half_native(mut self, isa: Isa, format: Format, run: HalfFn) -> Variants {
        self.half_native[isa as usize][half_slot(format)] = Some(run);
        self
    }

    /// The half-precision loop of `isa` on `format` data, if generated: the
    /// one with the ISA's extension where this CPU has it.
    #[inline]
    pub(crate) fn get_half(&self, isa: Isa, format: Format) -> Option<HalfFn> {
        if format == Format::F32 {
            return None;
        }
        let slot = half_slot(format);
        let native = self.half_native[isa as usize][slot].filter(|_| isa.has_half_extension());
        native.or(self.half[isa as usize][slot])
    }

    #[inline]
    pub(crate) fn get(&self, isa: Isa) -> Option<VariantFn> {
        self.table[isa as usize]
    }

    /// The variant for `isa` writing its output with non-temporal stores.
    #[inline]
    pub(crate) fn get_streaming(&self, isa: Isa) -> Option<VariantFn> {
        self.streaming[isa as usize]
    }
}

/// Everything the runtime knows about one op. `#[kernel]` generates it as
/// `<op>::KERNEL`; safe code can read it but not build or change one, since
/// the runtime calls its variants' `unsafe` code on what it declares.
pub struct Kernel {
    name: &'static str,
    inputs: &'static [&'static str],
    scalars: &'static [&'static str],
    max_ulp: f32,
    cost: u32,
    variants: Variants,
    wgsl: Wgsl,
}

/// A kernel's WGSL: its own function, the prelude every shader starts with
/// (the uniform its functions read), its compute entry point, and the kernels
/// it calls, whose functions the full shader must include.
pub struct Wgsl {
    pub function: &'static str,
    pub prelude: &'static str,
    pub entry: &'static str,
    pub calls: &'static [&'static Kernel],
}

impl Kernel {
    /// The descriptor of a kernel.
    ///
    /// # Safety
    /// Every variant in `variants` must compute this kernel from exactly
    /// `inputs.len()` streaming inputs and `scalars.len()` scalars, as its
    /// constructor's contract says; `inputs` has 1 to [`MAX_INPUTS`] names and
    /// `scalars` at most [`MAX_SCALARS`].
    #[allow(clippy::too_many_arguments)]
    pub const unsafe fn new(
        name: &'static str,
        inputs: &'static [&'static str],
        scalars: &'static [&'static str],
        max_ulp: f32,
        cost: u32,
        variants: Variants,
        wgsl: Wgsl,
    ) -> Kernel {
        Kernel {
            name,
            inputs,
            scalars,
            max_ulp,
            cost,
            variants,
            wgsl,
        }
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Names of the streaming inputs, in order.
    pub fn inputs(&self) -> &'static [&'static str] {
        self.inputs
    }

    /// Names of the `#[scalar]` parameters, in order.
    pub fn scalars(&self) -> &'static [&'static str] {
        self.scalars
    }

    /// Declared accuracy of every variant against the correctly rounded result, in ulp.
    pub fn max_ulp(&self) -> f32 {
        self.max_ulp
    }

    /// Work per element in vector-instruction units (fused callees included).
    pub fn cost(&self) -> u32 {
        self.cost
    }

    pub(crate) fn variants(&self) -> &Variants {
        &self.variants
    }

    /// The kernel's WGSL parts.
    pub fn wgsl(&self) -> &Wgsl {
        &self.wgsl
    }

    /// The ISAs this kernel has variants for on this architecture.
    pub fn isas(&self) -> impl Iterator<Item = Isa> + '_ {
        Isa::ALL.into_iter().filter(|&isa| self.variants.get(isa).is_some())
    }

    /// The complete compute shader: the functions of every kernel reached
    /// through calls (each once, callees first), this kernel's, its entry point.
    pub fn wgsl_source(&self) -> String {
        let mut source = String::new();
        self.wgsl_functions(&mut Vec::new(), &mut source);
        source.push_str(self.wgsl.prelude);
        source.push_str(self.wgsl.entry);
        source
    }

    /// Appends to `out` the functions of this kernel and every kernel it
    /// reaches, callees first, each once (`seen` holds those already there).
    pub fn wgsl_functions(&self, seen: &mut Vec<&'static str>, out: &mut String) {
        if seen.contains(&self.wgsl.function) {
            return;
        }
        for callee in self.wgsl.calls {
            callee.wgsl_functions(seen, out);
        }
        seen.push(self.wgsl.function);
        out.push_str(self.wgsl.function);
        out.push('\n');
    }

    /// Variants this CPU can run, in ascending preference.
    pub fn runnable_isas(&self) -> impl Iterator<Item = Isa> + '_ {
        self.isas().filter(|isa| isa.is_available())
    }
}

impl std::fmt::Debug for Kernel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kernel")
            .field("name", &self.name)
            .field("inputs", &self.inputs)
            .field("scalars", &self.scalars)
            .field("max_ulp", &self.max_ulp)
            .field("cost", &self.cost)
            .field("variants", &self.isas().collect::<Vec<_>>())
            .finish()
    }
}
