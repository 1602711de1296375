//! The WGSL path: a kernel's generated shader run through wgpu. Pipelines are
//! built once per kernel and cached; buffers are made per call (this path is
//! for large inputs, where the upload dwarfs the allocation).
//!
//! wgpu reports validation errors through error scopes, which are turned into
//! [`KernelError::Gpu`] here, so a bad shader or a lost device is an error, not
//! a panic.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::exec::check_arguments;
use crate::{Kernel, KernelError};

/// Threads per workgroup; must match the generated entry points.
const WORKGROUP_SIZE: u32 = 256;
/// Most workgroups along one dispatch dimension (WebGPU's minimum limit).
const MAX_GROUPS_PER_DIM: u32 = 65_535;

/// A GPU device ready to run kernels.
pub struct Gpu {
    device: wgpu::Device,
    queue: wgpu::Queue,
    info: wgpu::AdapterInfo,
    /// Elements per dispatch, from the storage-binding size limit.
    max_elements: usize,
    pipelines: Mutex<HashMap<&'static str, wgpu::ComputePipeline>>,
}

fn gpu_error(kernel: Option<&'static str>, message: impl std::fmt::Display) -> KernelError {
    KernelError::Gpu {
        kernel,
        message: message.to_string(),
    }
}

impl Gpu {
    /// Opens the default adapter (any backend wgpu was built with; on machines
    /// without a GPU, a software Vulkan driver such as lavapipe).
    pub fn new() -> Result<Gpu, KernelError> {
        let instance = wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        let adapter = pollster::block_on(instance.request_adapter(&wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::HighPerformance,
            ..Default::default()
        }))
        .map_err(|e| gpu_error(None, format!("no adapter: {e}")))?;
        let limits = adapter.limits();
        let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some("simdwise"),
            required_limits: limits.clone(),
            ..Default::default()
        }))
        .map_err(|e| gpu_error(None, format!("no device: {e}")))?;
        // Every operation runs inside an error scope; this only keeps a stray
        // error from wgpu's default handler, which panics.
        device.on_uncaptured_error(Arc::new(|e| eprintln!("simdwise: uncaptured GPU error: {e}")));
        let binding = limits
            .max_storage_buffer_binding_size
            .min(limits.max_buffer_size)
            .min(u64::from(u32::MAX)) as usize;
        Ok(Gpu {
            device,
            queue,
            info: adapter.get_info(),
            max_elements: (binding / 4) / WORKGROUP_SIZE as usize * WORKGROUP_SIZE as usize,
            pipelines: Mutex::new(HashMap::new()),
        })
    }

    /// The adapter's name, driver and backend, for reports.
    pub fn adapter(&self) -> String {
        format!("{} ({}, {:?})", self.info.name, self.info.driver, self.info.backend)
    }

    /// `out[i] = kernel(inputs[..][i], scalars)` on the GPU. Arguments are
    /// checked as on the CPU; on error `out` is left untouched.
    pub fn run(
        &self,
        kernel: &'static Kernel,
        inputs: &[&[f32]],
        scalars: &[f32],
        out: &mut [f32],
    ) -> Result<(), KernelError> {
        check_arguments(kernel, false, inputs, scalars, out.len())?;
        if out.is_empty() {
            return Ok(());
        }
        let pipeline = self.pipeline(kernel)?;
        // Results are staged and copied out only once every chunk succeeded.
        let mut staged = vec![0.0f32; out.len()];
        for start in (0..out.len()).step_by(self.max_elements) {
            let end = (start + self.max_elements).min(out.len());
            let chunk: Vec<&[f32]> = inputs.iter().map(|s| &s[start..end]).collect();
            self.dispatch(kernel, &pipeline, &chunk, scalars, &mut staged[start..end])?;
        }
        out.copy_from_slice(&staged);
        Ok(())
    }

    fn pipeline(&self, kernel: &'static Kernel) -> Result<wgpu::ComputePipeline, KernelError> {
        let mut cache = self
            .pipelines
            .lock()
            .map_err(|_| gpu_error(Some(kernel.name()), "pipeline cache poisoned"))?;
        if let Some(p) = cache.get(kernel.name()) {
            return Ok(p.clone());
        }
        let source = kernel.wgsl_source();
        let scope = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let module = self.device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some(kernel.name()),
            source: wgpu::ShaderSource::Wgsl(Cow::Owned(source)),
        });
        let pipeline = self.device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(kernel.name()),
            layout: None,
            module: &module,
            entry_point: Some("main"),
            compilation_options: Default::default(),
            cache: None,
        });
        if let Some(e) = pollster::block_on(scope.pop()) {
            return Err(gpu_error(Some(kernel.name()), format!("shader rejected: {e}")));
        }
        cache.insert(kernel.name(), pipeline.clone());
        Ok(pipeline)
    }

    fn dispatch(
        &self,
        kernel: &'static Kernel,
        pipeline: &wgpu::ComputePipeline,
        inputs: &[&[f32]],
        scalars: &[f32],
        out: &mut [f32],
    ) -> Result<(), KernelError> {
        let err = |m: String| gpu_error(Some(kernel.name()), m);
        let len = out.len();
        let bytes = (len * 4) as u64;
        let groups = (len as u32).div_ceil(WORKGROUP_SIZE);
        let (gx, gy) = if groups <= MAX_GROUPS_PER_DIM {
            (groups, 1)
        } else {
            (MAX_GROUPS_PER_DIM, groups.div_ceil(MAX_GROUPS_PER_DIM))
        };

        let scope = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let buffer = |label: &str, size: u64, usage: wgpu::BufferUsages| {
            self.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size,
                usage,
                mapped_at_creation: false,
            })
        };
        let mut params = [0u32; 8];
        params[0] = len as u32;
        params[1] = gx * WORKGROUP_SIZE;
        // `one`: keeps the shader compiler from reassociating (see the WGSL lowering).
        params[2] = 1.0f32.to_bits();
        for (slot, s) in params[3..7].iter_mut().zip(scalars) {
            *slot = s.to_bits();
        }
        // `zero` (params[7]), xor'd into every constant for the same reason.
        let params_buf = buffer("params", 32, wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST);
        self.queue.write_buffer(&params_buf, 0, &words_to_bytes(&params));
        let input_bufs: Vec<wgpu::Buffer> = inputs
            .iter()
            .map(|input| {
                let b = buffer(
                    "input",
                    bytes,
                    wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
                );
                self.queue.write_buffer(&b, 0, &floats_to_bytes(input));
                b
            })
            .collect();
        let out_buf = buffer(
            "output",
            bytes,
            wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
        );
        let readback = buffer(
            "readback",
            bytes,
            wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        );

        let mut entries = vec![wgpu::BindGroupEntry {
            binding: 0,
            resource: params_buf.as_entire_binding(),
        }];
        for (i, b) in input_bufs.iter().enumerate() {
            entries.push(wgpu::BindGroupEntry {
                binding: i as u32 + 1,
                resource: b.as_entire_binding(),
            });
        }
        entries.push(wgpu::BindGroupEntry {
            binding: inputs.len() as u32 + 1,
            resource: out_buf.as_entire_binding(),
        });
        let bind_group = self.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(kernel.name()),
            layout: &pipeline.get_bind_group_layout(0),
            entries: &entries,
        });

        let mut encoder = self.device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some(kernel.name()),
        });
        {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some(kernel.name()),
                timestamp_writes: None,
            });
            pass.set_pipeline(pipeline);
            pass.set_bind_group(0, &bind_group, &[]);
            pass.dispatch_workgroups(gx, gy, 1);
        }
        encoder.copy_buffer_to_buffer(&out_buf, 0, &readback, 0, bytes);
        self.queue.submit([encoder.finish()]);
        if let Some(e) = pollster::block_on(scope.pop()) {
            return Err(err(format!("dispatch rejected: {e}")));
        }

        let (tx, rx) = std::sync::mpsc::channel();
        readback.slice(..).map_async(wgpu::MapMode::Read, move |r| {
            let _ = tx.send(r);
        });
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| err(format!("device lost: {e}")))?;
        rx.recv()
            .map_err(|_| err("readback never completed".into()))?
            .map_err(|e| err(format!("readback failed: {e}")))?;
        {
            let view = readback
                .slice(..)
                .get_mapped_range()
                .map_err(|e| err(format!("readback failed: {e}")))?;
            for (o, chunk) in out.iter_mut().zip(view.chunks_exact(4)) {
                *o = f32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
            }
        }
        readback.unmap();
        Ok(())
    }
}

fn floats_to_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn words_to_bytes(values: &[u32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}
