//! [`GpuBuffer`]: values of one element type resident on one [`Gpu`]'s
//! device. f32 values take a 32-bit word each; f16 and bf16 values two to a
//! word (element `2k` in the low half of word `k`), so a half buffer moves
//! half the bytes.

use std::sync::Arc;

use super::{BindingCache, Gpu, gpu_error, next_id};
use crate::{Element, Format, KernelError};

/// `len` values of one [`Format`] on the device of the [`Gpu`] that made it.
/// Kernels run on it through that `Gpu` only: passing it to another is an
/// error.
pub struct GpuBuffer {
    id: u64,
    gpu: u64,
    len: usize,
    format: Format,
    buffer: wgpu::Buffer,
    bindings: Arc<BindingCache>,
}

/// Bytes of `len` values of `format`: whole 32-bit words.
pub(super) fn byte_size(format: Format, len: usize) -> u64 {
    (len * format.bytes()).next_multiple_of(4) as u64
}

impl GpuBuffer {
    /// Number of values.
    pub fn len(&self) -> usize {
        self.len
    }

    /// The element type of the values.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Bytes the values take on the device.
    pub(super) fn bytes(&self) -> u64 {
        byte_size(self.format, self.len)
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
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

impl Gpu {
    /// `data` (f32, f16 or bf16) copied to a new device buffer.
    pub fn upload<E: Element>(&self, data: &[E]) -> Result<GpuBuffer, KernelError> {
        let buffer = self.zeros_of(E::FORMAT, data.len())?;
        if !data.is_empty() {
            let mut bytes: Vec<u8> = Vec::with_capacity(buffer.bytes() as usize);
            for v in data {
                bytes.extend_from_slice(&v.to_bits32().to_le_bytes()[..E::FORMAT.bytes()]);
            }
            bytes.resize(buffer.bytes() as usize, 0);
            self.queue.write_buffer(&buffer.buffer, 0, &bytes);
        }
        Ok(buffer)
    }

    /// A new device buffer of `len` f32 zeros.
    pub fn zeros(&self, len: usize) -> Result<GpuBuffer, KernelError> {
        self.zeros_of(Format::F32, len)
    }

    /// A new device buffer of `len` zeros of `format`.
    pub fn zeros_of(&self, format: Format, len: usize) -> Result<GpuBuffer, KernelError> {
        if len
            .checked_mul(format.bytes())
            .is_none_or(|b| b as u64 > self.max_buffer_bytes)
        {
            return Err(gpu_error(
                None,
                format!(
                    "a buffer of {len} {format} values is larger than this device allows ({} bytes)",
                    self.max_buffer_bytes
                ),
            ));
        }
        let scope = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        // wgpu buffers are never empty; an empty GpuBuffer holds one unused value.
        let buffer = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("simdwise buffer"),
            size: byte_size(format, len.max(1)),
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
            format,
            buffer,
            bindings: Arc::clone(&self.bindings),
        })
    }

    /// Copies `buffer` into `out` (same length and element type), after every
    /// submitted call.
    pub fn read<E: Element>(&self, buffer: &GpuBuffer, out: &mut [E]) -> Result<(), KernelError> {
        buffer.check_owner(self, None)?;
        if buffer.format != E::FORMAT {
            return Err(gpu_error(
                None,
                format!(
                    "reading a buffer of {} values into {} values (no conversion on readback)",
                    buffer.format,
                    E::FORMAT
                ),
            ));
        }
        if out.len() != buffer.len {
            return Err(gpu_error(
                None,
                format!("reading a buffer of {} values into {} values", buffer.len, out.len()),
            ));
        }
        if out.is_empty() {
            return Ok(());
        }
        let bytes = buffer.bytes();
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
            let width = E::FORMAT.bytes();
            for (o, chunk) in out.iter_mut().zip(view.chunks_exact(width)) {
                let mut word = [0u8; 4];
                word[..width].copy_from_slice(chunk);
                *o = E::from_bits32(u32::from_le_bytes(word));
            }
        }
        readback.unmap();
        Ok(())
    }
}
