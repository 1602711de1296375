//! Fused chains: kernels composed into one generated shader, so that
//! `relu(x * a + b)` is one pass over memory instead of three. The kernels'
//! WGSL functions compose as they are; only the entry point is new.

use std::fmt::Write;

use super::{Gpu, WORKGROUP_SIZE, gpu_error};
use crate::{Kernel, KernelError, MAX_SCALARS};

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
    pub(super) inputs: usize,
    pub(super) scalars: usize,
    pub(super) pipeline: wgpu::ComputePipeline,
    source: String,
}

impl Fused {
    /// Input buffers a call takes.
    pub fn inputs(&self) -> usize {
        self.inputs
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
            .field("inputs", &self.inputs)
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

impl Gpu {
    /// Composes `steps` into one shader: each step is a kernel and its
    /// arguments in the kernel's declaration order (streaming and scalar
    /// parameters alike take any [`Operand`]); the last step's result is the
    /// output. The chain's inputs are the buffers `Input(0)`, `Input(1)`, ..
    /// name, each of which must be used.
    pub fn fuse(&self, steps: &[(&'static Kernel, &[Operand])]) -> Result<Fused, KernelError> {
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
                        format!("in{k}[i]")
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

        let mut source = String::from(first.wgsl().prelude);
        for k in 0..inputs {
            let _ = writeln!(
                source,
                "@group(0) @binding({}) var<storage, read> in{k}: array<f32>;",
                k + 1
            );
        }
        let _ = writeln!(
            source,
            "@group(0) @binding({}) var<storage, read_write> out: array<f32>;\n",
            inputs + 1
        );
        source.push_str(&functions);
        let _ = write!(
            source,
            "\n@compute @workgroup_size({WORKGROUP_SIZE})\n\
             fn main(@builtin(global_invocation_id) id: vec3<u32>) {{\n    \
             let i = id.x + id.y * params.row;\n    \
             if i >= params.len || i >= arrayLength(&out) {{\n        return;\n    }}\n\
             {body}    out[i] = t{};\n}}\n",
            steps.len() - 1
        );

        let pipeline = self
            .compile("simdwise fused", &source)
            .map_err(|e| gpu_error(None, format!("fused shader rejected: {e}")))?;
        Ok(Fused {
            gpu: self.id,
            id: super::next_id(),
            inputs,
            scalars,
            pipeline,
            source,
        })
    }
}
