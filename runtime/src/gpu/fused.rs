//! Fused chains: kernels composed into one generated shader, so that
//! `relu(x * a + b)` is one pass over memory instead of three. The kernels'
//! WGSL functions compose as they are; only the entry point is new.

use std::fmt::Write;

use super::{Gpu, WORKGROUP_SIZE, formats, gpu_error};
use crate::{Format, Kernel, KernelError, MAX_SCALARS};

/// Most streaming inputs of a fused chain (WebGPU guarantees 8 storage
/// buffers per shader stage; one is the output).
pub const MAX_FUSED_INPUTS: usize = 7;

/// Where one argument of a step in a fused chain comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operand {
    /// Element `i` of the chain's input buffer `k`.
    Input(usize),
    /// The chain's scalar parameter `j` (at most [`MAX_SCALARS`]).
    Scalar(usize),
    /// The previous step's result.
    Prev,
}

/// A chain of kernels compiled into one shader by [`Gpu::fuse`]; run it with
/// [`Chain::run_fused`](super::Chain::run_fused) on the `Gpu` that made it.
pub struct Fused {
    pub(super) gpu: u64,
    /// Its pipeline's id in the binding cache.
    pub(super) id: u64,
    /// The element type of each input buffer, and of the output.
    pub(super) formats: Vec<Format>,
    pub(super) out: Format,
    pub(super) scalars: usize,
    pub(super) pipeline: wgpu::ComputePipeline,
    source: String,
}

impl Fused {
    /// Input buffers a call takes.
    pub fn inputs(&self) -> usize {
        self.formats.len()
    }

    /// The element type each input buffer must hold.
    pub fn input_formats(&self) -> &[Format] {
        &self.formats
    }

    /// The element type the output buffer must hold.
    pub fn output_format(&self) -> Format {
        self.out
    }

    /// Scalar parameters a call takes.
    pub fn scalars(&self) -> usize {
        self.scalars
    }

    /// The generated shader.
    pub fn wgsl_source(&self) -> &str {
        &self.source
    }
}

impl std::fmt::Debug for Fused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fused")
            .field("inputs", &self.formats)
            .field("out", &self.out)
            .field("scalars", &self.scalars)
            .finish_non_exhaustive()
    }
}

/// The WGSL name of a kernel's function: the text starts `fn <name>(`.
fn function_name(kernel: &Kernel) -> &'static str {
    let function = kernel.wgsl().function;
    function
        .strip_prefix("fn ")
        .and_then(|rest| rest.split('(').next())
        .unwrap_or(function)
}

/// The operands a kernel's generated entry point passes its function, in
/// declaration order: the entry ends `out[i] = k_name(in0[i], params.s0, ..);`.
pub(super) fn entry_operands(kernel: &Kernel) -> Option<Vec<Operand>> {
    let call = kernel.wgsl().entry.split("out[i] = ").nth(1)?;
    let args = call.split_once('(')?.1.split_once(')')?.0;
    args.split(", ")
        .map(|arg| {
            if let Some(k) = arg.strip_prefix("in").and_then(|a| a.strip_suffix("[i]")) {
                k.parse().ok().map(Operand::Input)
            } else {
                arg.strip_prefix("params.s")?.parse().ok().map(Operand::Scalar)
            }
        })
        .collect()
}

impl Gpu {
    /// Composes `steps` into one shader: each step is a kernel and its
    /// arguments in the kernel's declaration order (streaming and scalar
    /// parameters alike take any [`Operand`]); the last step's result is the
    /// output. The chain's inputs are the buffers `Input(0)`, `Input(1)`, ..
    /// name, each of which must be used. Every buffer holds f32 values.
    pub fn fuse(&self, steps: &[(&'static Kernel, &[Operand])]) -> Result<Fused, KernelError> {
        self.compose(steps, None)
    }

    /// As [`fuse`](Gpu::fuse), on buffers of the given element types: input
    /// `k` holds `inputs[k]` values, the output `out` values (computed in
    /// f32, rounded once to nearest-even).
    pub fn fuse_formats(
        &self,
        steps: &[(&'static Kernel, &[Operand])],
        inputs: &[Format],
        out: Format,
    ) -> Result<Fused, KernelError> {
        self.compose(steps, Some((inputs, out)))
    }

    /// The shader of a chain; `formats`: of the inputs and the output, if
    /// not all f32.
    fn compose(
        &self,
        steps: &[(&'static Kernel, &[Operand])],
        formats: Option<(&[Format], Format)>,
    ) -> Result<Fused, KernelError> {
        let Some((first, _)) = steps.first() else {
            return Err(gpu_error(None, "a fused chain needs at least one step"));
        };
        let mut functions = String::new();
        let mut seen = Vec::new();
        let mut body = String::new();
        let mut used = [false; MAX_FUSED_INPUTS];
        let mut scalars = 0;
        for (n, &(kernel, operands)) in steps.iter().enumerate() {
            let name = Some(kernel.name());
            let want = kernel.inputs().len() + kernel.scalars().len();
            if operands.len() != want {
                return Err(gpu_error(
                    name,
                    format!(
                        "step {n} of the fused chain takes {want} operands (the kernel's parameters in declaration order), {} given",
                        operands.len()
                    ),
                ));
            }
            let mut args = Vec::new();
            for &operand in operands {
                args.push(match operand {
                    Operand::Input(k) if k < MAX_FUSED_INPUTS => {
                        used[k] = true;
                        format!("load{k}(i)")
                    }
                    Operand::Input(k) => {
                        return Err(gpu_error(
                            name,
                            format!("input {k} of a fused chain: at most {MAX_FUSED_INPUTS} inputs"),
                        ));
                    }
                    Operand::Scalar(j) if j < MAX_SCALARS => {
                        scalars = scalars.max(j + 1);
                        format!("params.s{j}")
                    }
                    Operand::Scalar(j) => {
                        return Err(gpu_error(
                            name,
                            format!("scalar {j} of a fused chain: at most {MAX_SCALARS} scalars"),
                        ));
                    }
                    Operand::Prev if n == 0 => {
                        return Err(gpu_error(
                            name,
                            "the first step of a fused chain has no previous result",
                        ));
                    }
                    Operand::Prev => format!("t{}", n - 1),
                });
            }
            kernel.wgsl_functions(&mut seen, &mut functions);
            let _ = writeln!(body, "    let t{n} = {}({});", function_name(kernel), args.join(", "));
        }
        let inputs = used.iter().rposition(|&u| u).map_or(0, |k| k + 1);
        if let Some(k) = used[..inputs].iter().position(|&u| !u) {
            return Err(gpu_error(None, format!("input {k} of the fused chain is never used")));
        }

        let (formats, out) = match formats {
            None => (vec![Format::F32; inputs], Format::F32),
            Some((given, out)) if given.len() == inputs => (given.to_vec(), out),
            Some((given, _)) => {
                return Err(gpu_error(
                    None,
                    format!("the fused chain has {inputs} inputs, {} formats given", given.len()),
                ));
            }
        };

        let mut source = String::from(first.wgsl().prelude);
        formats::bindings(&formats, out, &mut source);
        source.push_str(&functions);
        let _ = write!(
            source,
            "\nfn value(i: u32) -> f32 {{\n{body}    return t{};\n}}\n",
            steps.len() - 1
        );
        formats::entry(&formats, out, WORKGROUP_SIZE, &mut source);

        let pipeline = self
            .compile("simdwise fused", &source)
            .map_err(|e| gpu_error(None, format!("fused shader rejected: {e}")))?;
        Ok(Fused {
            gpu: self.id,
            id: super::next_id(),
            formats,
            out,
            scalars,
            pipeline,
            source,
        })
    }
}
