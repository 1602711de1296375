//! `simdwise._simdwise`, the native half of the Python package: the kernel
//! table and one callable per kernel (`Function`), which broadcasts floats
//! given for array inputs, checks float32 NumPy arrays (dtype, layout, shape,
//! with messages that say what was given), allocates the result or writes
//! `out` (in place when `out` is the first input; through a temporary when
//! it overlaps another), and runs the kernel with the GIL released (from
//! 16K elements on; below, releasing it costs more than the call). The
//! Python half (`simdwise/__init__.py`) names them.

use numpy::{PyArrayDyn, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

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

/// `k(*inputs, *scalars)` element-wise into `out` (a new array when
/// `None`), which is returned.
fn run<'py>(
    py: Python<'py>,
    k: &'static simdwise::Kernel,
    inputs: Vec<Bound<'py, PyAny>>,
    scalars: Vec<f32>,
    out: Option<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyArrayDyn<f32>>> {
    let name = k.name();
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

/// One kernel as a Python callable: `f(*inputs, out=None, **scalars)`. A
/// float or 0-d array given for an input is broadcast to the first array
/// input's shape (a copy).
#[pyclass(frozen, module = "simdwise")]
struct Function {
    kernel: &'static simdwise::Kernel,
}

#[pymethods]
impl Function {
    #[new]
    fn new(name: &str) -> PyResult<Function> {
        kernel(name).map(|kernel| Function { kernel })
    }

    #[getter]
    fn __name__(&self) -> &'static str {
        self.kernel.name()
    }

    fn __repr__(&self) -> String {
        format!("<simdwise kernel {}>", self.kernel.name())
    }

    #[pyo3(signature = (*args, out=None, **kwargs))]
    fn __call__<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyTuple>,
        out: Option<Bound<'py, PyAny>>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyArrayDyn<f32>>> {
        let k = self.kernel;
        let name = k.name();
        let mut scalars = Vec::with_capacity(k.scalars().len());
        for s in k.scalars() {
            let value = kwargs
                .map(|d| d.get_item(s))
                .transpose()?
                .flatten()
                .ok_or_else(|| PyTypeError::new_err(format!("{name}() needs the scalar keyword argument `{s}`")))?;
            scalars.push(value.extract::<f32>()?);
        }
        if let Some(d) = kwargs
            && d.len() != scalars.len()
        {
            let unknown: Vec<String> = d
                .keys()
                .iter()
                .map(|key| key.to_string())
                .filter(|key| !k.scalars().contains(&key.as_str()))
                .collect();
            return Err(PyTypeError::new_err(format!(
                "{name}() got unexpected keyword argument(s) {unknown:?}; its scalars: {:?}",
                k.scalars()
            )));
        }
        let mut inputs: Vec<Bound<'py, PyAny>> = args.iter().collect();
        // Floats and 0-d arrays for inputs: broadcast to the first array's shape.
        let is_value = |a: &Bound<'py, PyAny>| match a.downcast::<numpy::PyUntypedArray>() {
            Ok(array) => array.ndim() == 0,
            Err(_) => a.extract::<f64>().is_ok(),
        };
        if inputs.len() > 1 && inputs.iter().any(is_value) {
            let shape = inputs
                .iter()
                .find(|a| !is_value(a))
                .and_then(|a| a.downcast::<numpy::PyUntypedArray>().ok().map(|a| a.shape().to_vec()))
                .ok_or_else(|| PyTypeError::new_err(format!("{name}(): at least one input must be an array")))?;
            for a in inputs.iter_mut() {
                if is_value(a) {
                    let v: f32 = a.extract()?;
                    let full = numpy::ndarray::ArrayD::from_elem(shape.clone(), v);
                    *a = PyArrayDyn::from_owned_array(py, full).into_any();
                }
            }
        }
        run(py, k, inputs, scalars, out)
    }
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
    m.add_function(wrap_pyfunction!(active_isa, m)?)?;
    m.add_class::<Function>()?;
    Ok(())
}
