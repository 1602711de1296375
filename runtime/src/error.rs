//! The error every kernel call can return. Nothing is written to the output
//! when a call fails.

use std::fmt;

use crate::Isa;

#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KernelError {
    /// An input's length differs from the output's.
    LengthMismatch {
        kernel: &'static str,
        input: &'static str,
        input_len: usize,
        output_len: usize,
    },
    /// The call passed a different number of inputs or scalars than the kernel declares.
    ArgumentCount {
        kernel: &'static str,
        inputs: (usize, usize),
        scalars: (usize, usize),
    },
    /// An ISA was forced (API call, `KERNELS_ISA`, or per call) that this CPU cannot run.
    IsaUnavailable { isa: Isa },
    /// The kernel has no variant for the ISA (e.g. NEON on x86-64).
    NoVariant { kernel: &'static str, isa: Isa },
    /// `KERNELS_ISA` or a parsed name is not an ISA.
    UnknownIsa { name: String },
    /// An n-dimensional input or output is not laid out like the others, or
    /// not contiguous in memory (`input` is `"out"` for the output).
    Layout {
        kernel: &'static str,
        input: &'static str,
        message: String,
    },
    /// The GPU path failed: no adapter, a shader rejected by the driver, a lost
    /// device. `kernel` is `None` when no kernel was involved yet.
    Gpu {
        kernel: Option<&'static str>,
        message: String,
    },
}

impl fmt::Display for KernelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KernelError::LengthMismatch {
                kernel,
                input,
                input_len,
                output_len,
            } => write!(
                f,
                "kernel `{kernel}`: input `{input}` has {input_len} elements but the output has {output_len}; \
                 every input must have the output's length"
            ),
            KernelError::ArgumentCount {
                kernel,
                inputs,
                scalars,
            } => write!(
                f,
                "kernel `{kernel}` takes {} input slices and {} scalars, but was given {} and {}",
                inputs.0, scalars.0, inputs.1, scalars.1
            ),
            KernelError::IsaUnavailable { isa } => write!(
                f,
                "ISA `{isa}` was requested but this CPU lacks it (needs {}); available: {}",
                isa.features(),
                Isa::available().map(Isa::name).collect::<Vec<_>>().join(", ")
            ),
            KernelError::NoVariant { kernel, isa } => {
                write!(f, "kernel `{kernel}` has no `{isa}` variant on this architecture")
            }
            KernelError::Gpu {
                kernel: Some(kernel),
                message,
            } => write!(f, "kernel `{kernel}` on the GPU: {message}"),
            KernelError::Gpu { kernel: None, message } => write!(f, "GPU: {message}"),
            KernelError::Layout { kernel, input, message } => {
                write!(f, "kernel `{kernel}`: `{input}` {message}")
            }
            KernelError::UnknownIsa { name } => write!(
                f,
                "`{name}` is not an ISA; expected one of {}",
                Isa::ALL.map(Isa::name).join(", ")
            ),
        }
    }
}

impl std::error::Error for KernelError {}
