//! [`GpuBuffer`]: f32 values resident on one [`Gpu`]'s device.

use std::sync::Arc;

use super::{BindingCache, Gpu, gpu_error, next_id};
use crate::KernelError;

/// `len` f32 values on the device of the [`Gpu`] that made it. Kernels run on
/// it through that `Gpu` only: passing it to another is an error.
pub struct GpuBuffer {
    id: u64,
    gpu: u64,
    len: usize,
    buffer: wgpu::Buffer,
    bindings: Arc<BindingCache>,
}

impl GpuBuffer {
    /// Number of f32 values.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub(super) fn id(&self) -> u64 {
        self.id
    }

    pub(super) fn raw(&self) -> &wgpu::Buffer {
        &self.buffer
    }

    /// An error unless this buffer was made by `gpu`.
    pub(super) fn check_owner(&self, gpu: &Gpu, kernel: Option<&'static str>) -> Result<(), KernelError> {
        if self.gpu == gpu.id {
            Ok(())
        } else {
            Err(gpu_error(
                kernel,
                "a buffer made by another Gpu was passed (each GpuBuffer runs only on the Gpu that made it)",
            ))
        }
    }
}

impl Drop for GpuBuffer {
    fn drop(&mut self) {
        self.bindings.forget(self.id);
    }
}

impl std::fmt::Debug for GpuBuffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpuBuffer")
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

impl Gpu {
    /// `data` copied to a new device buffer.
    pub fn upload(&self, data: &[f32]) -> Result<GpuBuffer, KernelError> {
        let buffer = self.zeros(data.len())?;
        if !data.is_empty() {
            let bytes: Vec<u8> = data.iter().flat_map(|v| v.to_le_bytes()).collect();
            self.queue.write_buffer(&buffer.buffer, 0, &bytes);
        }
        Ok(buffer)
    }

    /// A new device buffer of `len` zeros.
    pub fn zeros(&self, len: usize) -> Result<GpuBuffer, KernelError> {
        if len > self.max_buffer_elements {
            return Err(gpu_error(
                None,
                format!(
                    "a buffer of {len} values is larger than this device allows ({})",
                    self.max_buffer_elements
                ),
            ));
        }
        let scope = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        // wgpu buffers are never empty; an empty GpuBuffer holds one unused value.
        let buffer = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("simdwise buffer"),
            size: 4 * len.max(1) as u64,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        if let Some(e) = pollster::block_on(scope.pop()) {
            return Err(gpu_error(None, format!("no memory for {len} values: {e}")));
        }
        Ok(GpuBuffer {
            id: next_id(),
            gpu: self.id,
            len,
            buffer,
            bindings: Arc::clone(&self.bindings),
        })
    }

    /// Copies `buffer` into `out` (same length), after every submitted call.
    pub fn read(&self, buffer: &GpuBuffer, out: &mut [f32]) -> Result<(), KernelError> {
        buffer.check_owner(self, None)?;
        if out.len() != buffer.len {
            return Err(gpu_error(
                None,
                format!("reading a buffer of {} values into {} values", buffer.len, out.len()),
            ));
        }
        if out.is_empty() {
            return Ok(());
        }
        let bytes = 4 * out.len() as u64;
        // Held until the copy is out: one mapping at a time.
        let mut slot = self
            .readback
            .lock()
            .map_err(|_| gpu_error(None, "readback buffer poisoned"))?;
        let readback = self.reusable(
            &mut slot,
            bytes,
            wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        );
        let mut encoder = self.device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("simdwise read"),
        });
        encoder.copy_buffer_to_buffer(&buffer.buffer, 0, &readback, 0, bytes);
        self.queue.submit([encoder.finish()]);
        let err = |m: String| gpu_error(None, m);
        let (tx, rx) = std::sync::mpsc::channel();
        readback.slice(..bytes).map_async(wgpu::MapMode::Read, move |r| {
            let _ = tx.send(r);
        });
        self.wait(None)?;
        rx.recv()
            .map_err(|_| err("readback never completed".into()))?
            .map_err(|e| err(format!("readback failed: {e}")))?;
        {
            let view = readback
                .slice(..bytes)
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
