//! ndarray arrays in and out of simdwise kernels, without copying: any
//! kernel runs on `f32` arrays whose elements are contiguous in memory and
//! laid out alike (the same shape and strides: C order, Fortran order, or
//! any other permutation), since an element-wise kernel does not care in
//! which order it visits them. Anything else is
//! [`KernelError::Layout`](simdwise::KernelError::Layout), naming the array.
//!
//! ```
//! use ndarray::array;
//! use simdwise_ndarray::{KernelArrayExt, KernelArrayMutExt};
//!
//! let x = array![[0.0f32, 1.0], [-1.0, 2.0]];
//! let y = x.apply(&simdwise::relu::KERNEL, &[], &[])?;
//! assert_eq!(y, array![[0.0, 1.0], [0.0, 2.0]]);
//! let mut z = x.clone();
//! z.apply_in_place(&simdwise::add::KERNEL, &[x.view()], &[])?;
//! assert_eq!(z, &x * 2.0);
//! # Ok::<(), simdwise::KernelError>(())
//! ```

use ndarray::{Array, ArrayBase, ArrayView, ArrayViewMut, Data, DataMut, Dimension};
use simdwise::{Kernel, KernelError};

fn layout(kernel: &Kernel, input: &'static str, message: String) -> KernelError {
    KernelError::Layout {
        kernel: kernel.name(),
        input,
        message,
    }
}

/// The name of input `i` of `kernel` (or `"input"` past its inputs: the
/// runtime reports the count).
fn input_name(kernel: &Kernel, i: usize) -> &'static str {
    kernel.inputs().get(i).copied().unwrap_or("input")
}

/// `array`'s elements as one slice in memory order, if it is laid out like
/// `like` (shape and strides) and contiguous.
fn slice<'a, S: Data<Elem = f32>, D: Dimension>(
    kernel: &Kernel,
    name: &'static str,
    array: &'a ArrayBase<S, D>,
    like: (&[usize], &[isize]),
) -> Result<&'a [f32], KernelError> {
    if array.shape() != like.0 {
        return Err(layout(
            kernel,
            name,
            format!("has shape {:?}, the output {:?}", array.shape(), like.0),
        ));
    }
    let Some(values) = array.as_slice_memory_order() else {
        return Err(layout(
            kernel,
            name,
            "is not contiguous in memory; copy it first (e.g. .as_standard_layout())".into(),
        ));
    };
    if array.strides() != like.1 {
        return Err(layout(
            kernel,
            name,
            format!(
                "has strides {:?}, the output {:?}; lay the arrays out alike (e.g. .as_standard_layout())",
                array.strides(),
                like.1
            ),
        ));
    }
    Ok(values)
}

/// `out = kernel(inputs.., scalars)` element-wise.
pub fn run<D: Dimension>(
    kernel: &'static Kernel,
    inputs: &[ArrayView<'_, f32, D>],
    scalars: &[f32],
    out: &mut ArrayViewMut<'_, f32, D>,
) -> Result<(), KernelError> {
    let like = (out.shape().to_vec(), out.strides().to_vec());
    let slices = inputs
        .iter()
        .enumerate()
        .map(|(i, a)| slice(kernel, input_name(kernel, i), a, (&like.0, &like.1)))
        .collect::<Result<Vec<_>, _>>()?;
    let out = out
        .as_slice_memory_order_mut()
        .ok_or_else(|| layout(kernel, "out", "is not contiguous in memory".into()))?;
    simdwise::runtime::run(kernel, &slices, scalars, out)
}

/// Kernels called on an array as their first input, into a new array.
pub trait KernelArrayExt<D: Dimension> {
    /// `kernel(self, others.., scalars)` into a new array laid out like
    /// `self`.
    fn apply(
        &self,
        kernel: &'static Kernel,
        others: &[ArrayView<'_, f32, D>],
        scalars: &[f32],
    ) -> Result<Array<f32, D>, KernelError>;
}

/// Kernels called in place on an array, their first input.
pub trait KernelArrayMutExt<D: Dimension> {
    /// `self = kernel(self, others.., scalars)`.
    fn apply_in_place(
        &mut self,
        kernel: &'static Kernel,
        others: &[ArrayView<'_, f32, D>],
        scalars: &[f32],
    ) -> Result<(), KernelError>;
}

impl<S: Data<Elem = f32>, D: Dimension> KernelArrayExt<D> for ArrayBase<S, D> {
    fn apply(
        &self,
        kernel: &'static Kernel,
        others: &[ArrayView<'_, f32, D>],
        scalars: &[f32],
    ) -> Result<Array<f32, D>, KernelError> {
        // `map` keeps a contiguous array's memory order, so the new array is
        // laid out like this one; `run` checks the rest.
        let mut out = self.map(|_| 0.0f32);
        let mut inputs = vec![self.view()];
        inputs.extend(others.iter().map(ArrayView::view));
        run(kernel, &inputs, scalars, &mut out.view_mut())?;
        Ok(out)
    }
}

impl<S: DataMut<Elem = f32>, D: Dimension> KernelArrayMutExt<D> for ArrayBase<S, D> {
    fn apply_in_place(
        &mut self,
        kernel: &'static Kernel,
        others: &[ArrayView<'_, f32, D>],
        scalars: &[f32],
    ) -> Result<(), KernelError> {
        let like = (self.shape().to_vec(), self.strides().to_vec());
        let slices = others
            .iter()
            .enumerate()
            .map(|(i, a)| slice(kernel, input_name(kernel, i + 1), a, (&like.0, &like.1)))
            .collect::<Result<Vec<_>, _>>()?;
        let name = input_name(kernel, 0);
        let io = self
            .as_slice_memory_order_mut()
            .ok_or_else(|| layout(kernel, name, "is not contiguous in memory".into()))?;
        simdwise::runtime::run_in_place(kernel, io, &slices, scalars)
    }
}

#[cfg(test)]
mod tests {
    use ndarray::{Array2, Array3, ShapeBuilder, s};
    use simdwise::KernelError;

    use super::*;

    fn values(shape: (usize, usize)) -> Array2<f32> {
        Array2::from_shape_fn(shape, |(i, j)| (i as f32 - 3.5) * 0.7 + j as f32 * 0.11)
    }

    /// The dispatched call on the values in logical order.
    fn dispatched<D: Dimension>(kernel: &'static Kernel, x: &ArrayView<f32, D>) -> Array<f32, D> {
        let flat: Vec<f32> = x.iter().copied().collect();
        let mut out = vec![0.0; flat.len()];
        simdwise::runtime::run(kernel, &[&flat], &[], &mut out).unwrap();
        Array::from_shape_vec(x.raw_dim(), out).unwrap()
    }

    #[test]
    fn every_layout_gives_the_slice_results() {
        let x = values((8, 33));
        let want = dispatched(&simdwise::tanh::KERNEL, &x.view());
        assert_eq!(x.apply(&simdwise::tanh::KERNEL, &[], &[]).unwrap(), want);
        // Fortran order, and a permuted 3-D array: memory order differs, results do not.
        let f = {
            let mut f = Array2::zeros((8, 33).f());
            f.assign(&x);
            f
        };
        let got = f.apply(&simdwise::tanh::KERNEL, &[], &[]).unwrap();
        assert_eq!(got, want);
        assert_eq!(got.strides(), f.strides());
        let cube = Array3::from_shape_fn((3, 4, 5), |(a, b, c)| (a * 20 + b * 5 + c) as f32 * 0.1 - 3.0);
        let permuted = cube.view().permuted_axes([2, 0, 1]);
        let got = permuted.apply(&simdwise::exp::KERNEL, &[], &[]).unwrap();
        assert_eq!(got, dispatched(&simdwise::exp::KERNEL, &permuted));
    }

    #[test]
    fn in_place_with_another_input_and_scalars() {
        let x = values((5, 7));
        let mut y = x.clone();
        y.apply_in_place(&simdwise::mul::KERNEL, &[x.view()], &[]).unwrap();
        assert_eq!(y, &x * &x);
        let mut z = x.clone();
        z.view_mut()
            .apply_in_place(&simdwise::leaky_relu::KERNEL, &[], &[0.5])
            .unwrap();
        assert_eq!(z, x.mapv(|v| if v > 0.0 { v } else { v * 0.5 }));
    }

    #[test]
    fn layout_errors_name_the_array() {
        let x = values((6, 10));
        let strided = x.slice(s![.., ..;2]);
        let err = strided.apply(&simdwise::relu::KERNEL, &[], &[]).unwrap_err();
        assert!(matches!(err, KernelError::Layout { input: "x", .. }), "{err}");
        assert!(err.to_string().contains("not contiguous"), "{err}");
        let mut f = Array2::zeros((6, 10).f());
        f.assign(&x);
        let err = x.apply(&simdwise::add::KERNEL, &[f.view()], &[]).unwrap_err();
        assert!(err.to_string().contains("strides"), "{err}");
        let short = values((6, 9));
        let err = x.apply(&simdwise::add::KERNEL, &[short.view()], &[]).unwrap_err();
        assert!(matches!(err, KernelError::Layout { input: "b", .. }), "{err}");
        let mut out = x.clone();
        let err = out.apply_in_place(&simdwise::add::KERNEL, &[], &[]).unwrap_err();
        assert!(matches!(err, KernelError::ArgumentCount { .. }), "{err}");
    }
}
