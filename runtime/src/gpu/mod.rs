//! The WGSL path: kernels' generated shaders run through wgpu on
//! device-resident buffers ([`GpuBuffer`]): upload once, run any number of
//! kernels, recorded into one submission ([`Chain`]), read back once.
//! Pipelines are built once per kernel and cached; a call's bind group and
//! uniform are cached for the next call like it (same pipeline, buffers,
//! length and scalars); the readback staging buffer and the in-place scratch
//! buffer are one per [`Gpu`], grown as needed.
//! [`Gpu::run`] on host slices is upload, run, read back. [`Gpu::fuse`]
//! composes kernels into one shader, one pass over memory.
//!
//! wgpu reports validation errors through error scopes, which are turned into
//! [`KernelError::Gpu`] here, so a bad shader, a lost device or a buffer from
//! another [`Gpu`] is an error, not a panic.

mod buffer;
mod chain;
mod formats;
mod fused;

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

pub use buffer::GpuBuffer;
pub use chain::Chain;
pub use fused::{Fused, MAX_FUSED_INPUTS, Operand};

use crate::{Format, Kernel, KernelError};

/// Threads per workgroup; must match the generated entry points.
const WORKGROUP_SIZE: u32 = 256;
/// Most workgroups along one dispatch dimension (WebGPU's minimum limit).
const MAX_GROUPS_PER_DIM: u32 = 65_535;

/// Identifies a [`Gpu`] or a [`GpuBuffer`] for the life of the process.
fn next_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// What a cached bind group binds: a hit never rewrites a uniform that a
/// recorded, not yet submitted, call may still read.
#[derive(Clone, PartialEq, Eq, Hash)]
struct BindingKey {
    pipeline: u64,
    buffers: Vec<u64>,
    start: usize,
    params: [u32; 8],
}

/// Most bind groups kept; past it the cache starts over.
const MAX_CACHED_BINDINGS: usize = 1024;

/// Cached bind groups (each holding its uniform). A [`GpuBuffer`] shares it
/// with its [`Gpu`] and, when dropped, evicts the groups that hold it.
#[derive(Default)]
struct BindingCache(Mutex<HashMap<BindingKey, wgpu::BindGroup>>);

impl BindingCache {
    fn get_or_make(&self, key: BindingKey, make: impl FnOnce() -> wgpu::BindGroup) -> wgpu::BindGroup {
        let mut map = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(group) = map.get(&key) {
            return group.clone();
        }
        if map.len() >= MAX_CACHED_BINDINGS {
            map.clear();
        }
        let group = make();
        map.insert(key, group.clone());
        group
    }

    fn forget(&self, buffer: u64) {
        let mut map = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.retain(|key, _| !key.buffers.contains(&buffer));
    }
}

/// A kernel's descriptor address and the element types of its buffers.
type ConvertingKey = (usize, Vec<Format>);

/// A GPU device ready to run kernels.
pub struct Gpu {
    id: u64,
    device: wgpu::Device,
    queue: wgpu::Queue,
    info: wgpu::AdapterInfo,
    /// Elements per dispatch, from the storage-binding size limit.
    max_elements: usize,
    /// The buffer size limit.
    max_buffer_bytes: u64,
    /// By descriptor address: an id for the binding cache and the pipeline.
    pipelines: Mutex<HashMap<usize, (u64, wgpu::ComputePipeline)>>,
    /// Shaders of kernels on half-precision buffers, by descriptor address
    /// and the buffers' element types.
    converting: Mutex<HashMap<ConvertingKey, Arc<Fused>>>,
    bindings: Arc<BindingCache>,
    readback: Mutex<Option<wgpu::Buffer>>,
    /// The in-place scratch buffer and its id in the binding cache.
    scratch: Mutex<Option<(u64, wgpu::Buffer)>>,
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
            id: next_id(),
            device,
            queue,
            info: adapter.get_info(),
            max_elements: (binding / 4) / WORKGROUP_SIZE as usize * WORKGROUP_SIZE as usize,
            max_buffer_bytes: limits.max_buffer_size,
            pipelines: Mutex::new(HashMap::new()),
            converting: Mutex::new(HashMap::new()),
            bindings: Arc::default(),
            readback: Mutex::new(None),
            scratch: Mutex::new(None),
        })
    }

    /// The adapter's name, driver and backend, for reports.
    pub fn adapter(&self) -> String {
        format!("{} ({}, {:?})", self.info.name, self.info.driver, self.info.backend)
    }

    /// Elements one dispatch covers; longer buffers run in several, each
    /// binding its own range.
    pub fn dispatch_limit(&self) -> usize {
        self.max_elements
    }

    /// Lowers [`dispatch_limit`](Gpu::dispatch_limit) (rounded down to whole
    /// workgroups, at least one): to exercise the chunked path on any device.
    pub fn set_dispatch_limit(&mut self, elements: usize) {
        let groups = (elements / WORKGROUP_SIZE as usize).max(1);
        self.max_elements = self.max_elements.min(groups * WORKGROUP_SIZE as usize);
    }

    /// `out[i] = kernel(inputs[..][i], scalars)` on host slices: uploaded,
    /// run, read back. Arguments are checked as on the CPU; on error `out` is
    /// left untouched.
    pub fn run(
        &self,
        kernel: &'static Kernel,
        inputs: &[&[f32]],
        scalars: &[f32],
        out: &mut [f32],
    ) -> Result<(), KernelError> {
        crate::exec::check_arguments(kernel, false, inputs.iter().map(|s| s.len()), scalars, out.len())?;
        if out.is_empty() {
            return Ok(());
        }
        let buffers = inputs
            .iter()
            .map(|input| self.upload(input))
            .collect::<Result<Vec<_>, _>>()?;
        let result = self.zeros(out.len())?;
        let refs: Vec<&GpuBuffer> = buffers.iter().collect();
        self.run_buffers(kernel, &refs, scalars, &result)?;
        self.read(&result, out)
    }

    /// `out[i] = kernel(inputs[..][i], scalars)` on resident buffers, one
    /// submission; `out` may be one of `inputs` (in place). Returns once
    /// submitted; a later [`read`](Gpu::read) waits for it.
    pub fn run_buffers(
        &self,
        kernel: &'static Kernel,
        inputs: &[&GpuBuffer],
        scalars: &[f32],
        out: &GpuBuffer,
    ) -> Result<(), KernelError> {
        let mut chain = self.chain();
        chain.run(kernel, inputs, scalars, out)?;
        chain.submit()
    }

    /// Waits until every submitted call has run.
    pub fn finish(&self) -> Result<(), KernelError> {
        self.wait(None)
    }

    /// An empty chain of kernel calls, submitted together.
    pub fn chain(&self) -> Chain<'_> {
        Chain::new(self)
    }

    fn pipeline(&self, kernel: &'static Kernel) -> Result<(u64, wgpu::ComputePipeline), KernelError> {
        let mut cache = self
            .pipelines
            .lock()
            .map_err(|_| gpu_error(Some(kernel.name()), "pipeline cache poisoned"))?;
        // Keyed by the descriptor's address: two crates may name kernels alike.
        let key = std::ptr::from_ref(kernel) as usize;
        if let Some(p) = cache.get(&key) {
            return Ok(p.clone());
        }
        let pipeline = self
            .compile(kernel.name(), &kernel.wgsl_source())
            .map_err(|e| gpu_error(Some(kernel.name()), format!("shader rejected: {e}")))?;
        let id = next_id();
        cache.insert(key, (id, pipeline.clone()));
        Ok((id, pipeline))
    }

    /// The shader of `kernel` on buffers of `inputs` and `out` element types:
    /// the kernel as a one-step fused chain, its operands in the order its
    /// own entry point passes them.
    fn converting(&self, kernel: &'static Kernel, inputs: Vec<Format>, out: Format) -> Result<Arc<Fused>, KernelError> {
        let name = Some(kernel.name());
        let mut cache = self
            .converting
            .lock()
            .map_err(|_| gpu_error(name, "pipeline cache poisoned"))?;
        let mut key_formats = inputs.clone();
        key_formats.push(out);
        let key = (std::ptr::from_ref(kernel) as usize, key_formats);
        if let Some(f) = cache.get(&key) {
            return Ok(Arc::clone(f));
        }
        let operands = fused::entry_operands(kernel).ok_or_else(|| {
            gpu_error(
                name,
                "the kernel's WGSL entry point has no call to read its operands from",
            )
        })?;
        let fused = Arc::new(self.fuse_formats(&[(kernel, &operands)], &inputs, out)?);
        cache.insert(key, Arc::clone(&fused));
        Ok(fused)
    }

    /// The compute pipeline of a shader whose entry point is `main`, or the
    /// driver's validation error.
    fn compile(&self, label: &str, source: &str) -> Result<wgpu::ComputePipeline, wgpu::Error> {
        let scope = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let module = self.device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some(label),
            source: wgpu::ShaderSource::Wgsl(Cow::Borrowed(source)),
        });
        let pipeline = self.device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(label),
            layout: None,
            module: &module,
            entry_point: Some("main"),
            compilation_options: Default::default(),
            cache: None,
        });
        match pollster::block_on(scope.pop()) {
            Some(e) => Err(e),
            None => Ok(pipeline),
        }
    }

    /// A buffer of at least `bytes` from `slot` (the readback staging buffer,
    /// locked by the caller), made or grown as needed.
    fn reusable(&self, slot: &mut Option<wgpu::Buffer>, bytes: u64, usage: wgpu::BufferUsages) -> wgpu::Buffer {
        if let Some(b) = slot.as_ref().filter(|b| b.size() >= bytes) {
            return b.clone();
        }
        let b = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("simdwise reusable"),
            size: bytes,
            usage,
            mapped_at_creation: false,
        });
        *slot = Some(b.clone());
        b
    }

    /// Waits for the queue; errors name `kernel`.
    fn wait(&self, kernel: Option<&'static str>) -> Result<(), KernelError> {
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map(drop)
            .map_err(|e| gpu_error(kernel, format!("device lost: {e}")))
    }
}

fn words_to_bytes(values: &[u32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}
