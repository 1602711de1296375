//! [`Chain`]: kernel calls on resident buffers recorded into one command
//! buffer and submitted together.

use super::{
    BindingKey, Fused, Gpu, GpuBuffer, MAX_GROUPS_PER_DIM, WORKGROUP_SIZE, formats, gpu_error, words_to_bytes,
};
use crate::{Format, Kernel, KernelError};

/// Kernel calls recorded in order into one command buffer; nothing runs
/// until [`submit`](Chain::submit). Each call is checked when recorded, so a
/// bad call is an error there and the chain records nothing for it.
pub struct Chain<'g> {
    gpu: &'g Gpu,
    encoder: wgpu::CommandEncoder,
    calls: usize,
}

impl<'g> Chain<'g> {
    pub(super) fn new(gpu: &'g Gpu) -> Chain<'g> {
        let encoder = gpu.device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("simdwise chain"),
        });
        Chain { gpu, encoder, calls: 0 }
    }

    /// Calls recorded so far.
    pub fn len(&self) -> usize {
        self.calls
    }

    pub fn is_empty(&self) -> bool {
        self.calls == 0
    }

    /// Records `out[i] = kernel(inputs[..][i], scalars)`; `out` may be one
    /// of `inputs` (in place: the result goes through a scratch buffer and is
    /// copied back in the same command buffer). Buffers may hold any element
    /// type, in any mix: computation is f32, the store rounds once.
    pub fn run(
        &mut self,
        kernel: &'static Kernel,
        inputs: &[&GpuBuffer],
        scalars: &[f32],
        out: &GpuBuffer,
    ) -> Result<&mut Self, KernelError> {
        let name = Some(kernel.name());
        for b in inputs.iter().copied().chain([out]) {
            b.check_owner(self.gpu, name)?;
        }
        crate::exec::check_arguments(kernel, false, inputs.iter().map(|b| b.len()), scalars, out.len())?;
        if out.is_empty() {
            return Ok(self);
        }
        let formats: Vec<Format> = inputs.iter().map(|b| b.format()).collect();
        if !formats::pairs(&formats, out.format()) {
            let (id, pipeline) = self.gpu.pipeline(kernel)?;
            return self.record(name, id, &pipeline, false, inputs, scalars, out);
        }
        let fused = self.gpu.converting(kernel, formats, out.format())?;
        self.record(name, fused.id, &fused.pipeline, true, inputs, scalars, out)
    }

    /// Records a fused chain from [`Gpu::fuse`]: `out[i]` is its last step's
    /// result on element `i` of `inputs`; `out` may be one of `inputs`.
    pub fn run_fused(
        &mut self,
        fused: &Fused,
        inputs: &[&GpuBuffer],
        scalars: &[f32],
        out: &GpuBuffer,
    ) -> Result<&mut Self, KernelError> {
        if fused.gpu != self.gpu.id {
            return Err(gpu_error(None, "a fused chain made by another Gpu was passed"));
        }
        for b in inputs.iter().copied().chain([out]) {
            b.check_owner(self.gpu, None)?;
        }
        if inputs.len() != fused.inputs() || scalars.len() != fused.scalars {
            return Err(gpu_error(
                None,
                format!(
                    "the fused chain takes {} inputs and {} scalars, {} and {} given",
                    fused.inputs(),
                    fused.scalars,
                    inputs.len(),
                    scalars.len()
                ),
            ));
        }
        if let Some(b) = inputs.iter().find(|b| b.len() != out.len()) {
            return Err(gpu_error(
                None,
                format!("a fused chain's input has {} values, its output {}", b.len(), out.len()),
            ));
        }
        let given = inputs.iter().map(|b| b.format()).chain([out.format()]);
        let wanted = fused.formats.iter().copied().chain([fused.out]);
        if let Some((k, (g, w))) = given.zip(wanted).enumerate().find(|(_, (g, w))| g != w) {
            let which = if k == inputs.len() {
                "output".to_owned()
            } else {
                format!("input {k}")
            };
            return Err(gpu_error(
                None,
                format!("the fused chain's {which} holds {w} values, a buffer of {g} values was given"),
            ));
        }
        if out.is_empty() {
            return Ok(self);
        }
        let pairs = formats::pairs(&fused.formats, fused.out);
        self.record(None, fused.id, &fused.pipeline, pairs, inputs, scalars, out)
    }

    /// Records the dispatches of one call whose arguments were checked;
    /// `pairs`: the shader runs one invocation per two elements.
    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        name: Option<&'static str>,
        pipeline_id: u64,
        pipeline: &wgpu::ComputePipeline,
        pairs: bool,
        inputs: &[&GpuBuffer],
        scalars: &[f32],
        out: &GpuBuffer,
    ) -> Result<&mut Self, KernelError> {
        let gpu = self.gpu;
        let len = out.len();
        let bytes = out.bytes();
        let in_place = inputs.iter().any(|b| b.id() == out.id());
        let (target_id, target) = if in_place {
            let mut slot = gpu
                .scratch
                .lock()
                .map_err(|_| gpu_error(name, "scratch buffer poisoned"))?;
            match slot.as_ref().filter(|(_, b)| b.size() >= bytes) {
                Some(scratch) => scratch.clone(),
                None => {
                    if let Some((old, _)) = slot.take() {
                        gpu.bindings.forget(old);
                    }
                    let scratch = gpu.device.create_buffer(&wgpu::BufferDescriptor {
                        label: Some("simdwise scratch"),
                        size: bytes,
                        usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
                        mapped_at_creation: false,
                    });
                    slot.insert((super::next_id(), scratch)).clone()
                }
            }
        } else {
            (out.id(), out.raw().clone())
        };
        let scope = gpu.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let layout = pipeline.get_bind_group_layout(0);
        let mut groups = Vec::new();
        for start in (0..len).step_by(gpu.max_elements) {
            let chunk = (len - start).min(gpu.max_elements);
            let invocations = if pairs { chunk.div_ceil(2) } else { chunk };
            let workgroups = (invocations as u32).div_ceil(WORKGROUP_SIZE);
            let (gx, gy) = if workgroups <= MAX_GROUPS_PER_DIM {
                (workgroups, 1)
            } else {
                (MAX_GROUPS_PER_DIM, workgroups.div_ceil(MAX_GROUPS_PER_DIM))
            };
            // len, row pitch, the opaque 1.0, scalars, the opaque 0 (see the
            // WGSL lowering).
            let mut params = [0u32; 8];
            params[0] = chunk as u32;
            params[1] = gx * WORKGROUP_SIZE;
            params[2] = 1.0f32.to_bits();
            for (slot, s) in params[3..7].iter_mut().zip(scalars) {
                *slot = s.to_bits();
            }
            let key = BindingKey {
                pipeline: pipeline_id,
                buffers: inputs.iter().map(|b| b.id()).chain([target_id]).collect(),
                start,
                params,
            };
            let group = gpu.bindings.get_or_make(key, || {
                let uniform = gpu.device.create_buffer(&wgpu::BufferDescriptor {
                    label: Some("simdwise params"),
                    size: 32,
                    usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                    mapped_at_creation: false,
                });
                gpu.queue.write_buffer(&uniform, 0, &words_to_bytes(&params));
                let mut entries = vec![wgpu::BindGroupEntry {
                    binding: 0,
                    resource: uniform.as_entire_binding(),
                }];
                for (i, b) in inputs.iter().enumerate() {
                    entries.push(wgpu::BindGroupEntry {
                        binding: i as u32 + 1,
                        resource: range(b.raw(), b.format(), start, chunk),
                    });
                }
                entries.push(wgpu::BindGroupEntry {
                    binding: inputs.len() as u32 + 1,
                    resource: range(&target, out.format(), start, chunk),
                });
                gpu.device.create_bind_group(&wgpu::BindGroupDescriptor {
                    label: name,
                    layout: &layout,
                    entries: &entries,
                })
            });
            groups.push((group, gx, gy));
        }
        if let Some(e) = pollster::block_on(scope.pop()) {
            return Err(gpu_error(name, format!("call rejected: {e}")));
        }
        {
            let mut pass = self.encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: name,
                timestamp_writes: None,
            });
            pass.set_pipeline(pipeline);
            for (group, gx, gy) in &groups {
                pass.set_bind_group(0, group, &[]);
                pass.dispatch_workgroups(*gx, *gy, 1);
            }
        }
        if in_place {
            self.encoder.copy_buffer_to_buffer(&target, 0, out.raw(), 0, bytes);
        }
        self.calls += 1;
        Ok(self)
    }

    /// Submits every recorded call as one command buffer. Returns once
    /// submitted; a later [`Gpu::read`] waits for it.
    pub fn submit(self) -> Result<(), KernelError> {
        let gpu = self.gpu;
        let scope = gpu.device.push_error_scope(wgpu::ErrorFilter::Validation);
        gpu.queue.submit([self.encoder.finish()]);
        match pollster::block_on(scope.pop()) {
            Some(e) => Err(gpu_error(None, format!("chain rejected: {e}"))),
            None => Ok(()),
        }
    }
}

/// `chunk` values of `format` in `buffer` from `start` on (even: a chunk
/// is whole workgroups), as a binding of whole words.
fn range(buffer: &wgpu::Buffer, format: Format, start: usize, chunk: usize) -> wgpu::BindingResource<'_> {
    wgpu::BindingResource::Buffer(wgpu::BufferBinding {
        buffer,
        offset: (start * format.bytes()) as u64,
        size: wgpu::BufferSize::new(super::buffer::byte_size(format, chunk)),
    })
}
