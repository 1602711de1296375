//! The runtime behind `#[kernel]` ops: CPU feature detection (once), variant
//! choice, argument checks, and parallel execution over L2-sized chunks.
//! It knows nothing about any particular op; the code `#[kernel]` generates
//! names these items by absolute path (`::simdwise_runtime::..`).

mod cache;
pub mod calibration;
mod cost;
mod dispatch;
mod element;
mod error;
mod exec;
#[cfg(feature = "gpu")]
mod gpu;
mod isa;
mod kernel;
mod parallel;

pub use cache::{DEFAULT_L2_BYTES, l2_bytes, llc_bytes};
pub use calibration::{CALIBRATION_ENV, Calibration, cpu_model};
pub use cost::{Cost, MAX_GRAPH};
pub use dispatch::{ISA_ENV, active_isa, clear_forced_isa, force_isa, isa_for};
#[doc(hidden)]
pub use element::lanes;
pub use element::{Element, Format, Source, Target, run_elements, run_elements_in_place, run_elements_with_isa};
pub use error::KernelError;
pub use exec::{Plan, estimated_ns_per_element, run, run_in_place, run_planned, run_with_isa};
#[cfg(feature = "gpu")]
pub use gpu::{Chain, Fused, Gpu, GpuBuffer, MAX_FUSED_INPUTS, Operand};
pub use half;
pub use isa::Isa;
pub use kernel::{Args, HalfArgs, HalfFn, Kernel, MAX_INPUTS, MAX_SCALARS, VariantFn, Variants, Wgsl};
