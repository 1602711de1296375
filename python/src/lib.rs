//! `simdwise._simdwise`, the native half of the Python package: the kernel
//! table and one call that checks float32 NumPy arrays (dtype, layout, shape,
//! with messages that say what was given), allocates the result or writes
//! `out` (in place when `out` is the first input; through a temporary when
//! it overlaps another), and runs the kernel with the GIL released (from
//! 16K elements on; below, releasing it costs more than the call). The
//! Python half (`simdwise/__init__.py`) builds one function per kernel on top
//! and broadcasts floats given for array inputs.

use numpy::{PyArrayDyn, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

/// Calls this short run with the GIL held: releasing and taking it back
/// costs more than the kernel.
const GIL_MIN: usize = 16_384;

/// `f` with the GIL released, unless the call is short.
fn unlocked<T: Send>(py: Python<'_>, len: usize, f: impl FnOnce() -> T + Send) -> T {
    if len < GIL_MIN { f() } else { py.allow_threads(f) }
}

fn kernel(name: &str) -> PyResult<&'static simdwise::Kernel> {
    simdwise::ALL
        .iter()
        .copied()
        .find(|k| k.name() == name)
        .ok_or_else(|| PyValueError::new_err(format!("there is no kernel named `{name}`")))
}

/// `value` as a C-contiguous float32 array of `shape` (any shape when `None`),
/// or an error naming `what` and what was wrong.
fn array<'py>(
    name: &str,
    what: &str,
    value: &Bound<'py, PyAny>,
    shape: Option<&[usize]>,
) -> PyResult<Bound<'py, PyArrayDyn<f32>>> {
    let a = value.downcast::<PyArrayDyn<f32>>().map_err(|_| {
        let given = match value.getattr("dtype") {
            Ok(dtype) => format!("an array of dtype {dtype}"),
            Err(_) => value.get_type().name().map_or("?".into(), |n| n.to_string()),
        };
        PyTypeError::new_err(format!(
            "{name}: `{what}` must be a float32 numpy array, got {given} (convert with .astype(numpy.float32))"
        ))
    })?;
    if !a.is_c_contiguous() {
        return Err(PyValueError::new_err(format!(
            "{name}: `{what}` is not C-contiguous; pass numpy.ascontiguousarray(...)"
        )));
    }
    if let Some(shape) = shape
        && a.shape() != shape
    {
        return Err(PyValueError::new_err(format!(
            "{name}: `{what}` has shape {:?}, the first input {:?}",
            a.shape(),
            shape
        )));
    }
    Ok(a.clone())
}

/// Every kernel: name, input names, scalar names, declared max ulp.
#[pyfunction]
fn kernels() -> Vec<(&'static str, Vec<&'static str>, Vec<&'static str>, f32)> {
    simdwise::ALL
        .iter()
        .map(|k| (k.name(), k.inputs().to_vec(), k.scalars().to_vec(), k.max_ulp()))
        .collect()
}

/// `name(*inputs, *scalars)` element-wise into `out` (a new array when
/// `None`), which is returned.
#[pyfunction]
#[pyo3(signature = (name, inputs, scalars, out=None))]
fn call<'py>(
    py: Python<'py>,
    name: &str,
    inputs: Vec<Bound<'py, PyAny>>,
    scalars: Vec<f32>,
    out: Option<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyArrayDyn<f32>>> {
    let k = kernel(name)?;
    if inputs.len() != k.inputs().len() || scalars.len() != k.scalars().len() {
        return Err(PyTypeError::new_err(format!(
            "{name}() takes {} array argument(s) ({}) and {} scalar(s), {} and {} given",
            k.inputs().len(),
            k.inputs().join(", "),
            k.scalars().len(),
            inputs.len(),
            scalars.len()
        )));
    }
    let first = array(name, k.inputs()[0], &inputs[0], None)?;
    let shape = first.shape().to_vec();
    let mut arrays = vec![first];
    for (i, value) in inputs.iter().enumerate().skip(1) {
        arrays.push(array(name, k.inputs()[i], value, Some(&shape))?);
    }
    let out = match out {
        Some(out) => array(name, "out", &out, Some(&shape))?,
        // SAFETY: the kernel writes every element before Python sees it.
        None => unsafe { PyArrayDyn::<f32>::new(py, shape.clone(), false) },
    };
    let fail = |e: simdwise::KernelError| PyValueError::new_err(e.to_string());
    if out.is(&arrays[0]) && !arrays[1..].iter().any(|a| a.is(&out)) {
        let mut io = out
            .try_readwrite()
            .map_err(|e| PyValueError::new_err(format!("{name}: {e}")))?;
        let others: Vec<_> = arrays[1..].iter().map(|a| a.readonly()).collect();
        let slices: Vec<&[f32]> = others
            .iter()
            .map(|a| a.as_slice().expect("checked contiguous"))
            .collect();
        let io = io.as_slice_mut().expect("checked contiguous");
        let len = io.len();
        unlocked(py, len, || simdwise::runtime::run_in_place(k, io, &slices, &scalars)).map_err(fail)?;
        return Ok(out);
    }
    let readers: Vec<_> = arrays.iter().map(|a| a.readonly()).collect();
    let slices: Vec<&[f32]> = readers
        .iter()
        .map(|a| a.as_slice().expect("checked contiguous"))
        .collect();
    match out.try_readwrite() {
        Ok(mut writer) => {
            let target = writer.as_slice_mut().expect("checked contiguous");
            unlocked(py, target.len(), || {
                simdwise::runtime::run(k, &slices, &scalars, target)
            })
            .map_err(fail)?;
        }
        // `out` overlaps an input: through a temporary.
        Err(_) => {
            let mut result = vec![0.0f32; slices[0].len()];
            let len = result.len();
            unlocked(py, len, || simdwise::runtime::run(k, &slices, &scalars, &mut result)).map_err(fail)?;
            drop(readers);
            let mut writer = out
                .try_readwrite()
                .map_err(|e| PyValueError::new_err(format!("{name}: `out`: {e}")))?;
            writer
                .as_slice_mut()
                .expect("checked contiguous")
                .copy_from_slice(&result);
        }
    }
    Ok(out)
}

/// The ISA dispatched calls use on this CPU.
#[pyfunction]
fn active_isa() -> PyResult<&'static str> {
    simdwise::runtime::active_isa()
        .map(|isa| isa.name())
        .map_err(|e| PyValueError::new_err(e.to_string()))
}

#[pymodule]
fn _simdwise(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(kernels, m)?)?;
    m.add_function(wrap_pyfunction!(call, m)?)?;
    m.add_function(wrap_pyfunction!(active_isa, m)?)?;
    Ok(())
}
