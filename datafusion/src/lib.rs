//! Every simdwise kernel as a DataFusion scalar UDF over Arrow `Float32`
//! arrays, so `SELECT gelu(x + b), silu(y) FROM t` runs the generated SIMD
//! variants. Arguments follow the kernel's parameters in declaration order:
//! streaming inputs take columns (or constants, broadcast), `#[scalar]`
//! parameters take constants; other numeric types are coerced to Float32.
//! A null in any input gives a null; arrays may be sliced (any offset).
//!
//! ```ignore
//! let ctx = datafusion::prelude::SessionContext::new();
//! for udf in simdwise_datafusion::udfs() {
//!     ctx.register_udf(udf);
//! }
//! ctx.sql("SELECT gelu(x), leaky_relu(x, 0.1) FROM t").await?;
//! ```

use std::sync::Arc;

use datafusion_common::arrow::array::{Array, ArrayRef, Float32Array};
use datafusion_common::arrow::buffer::NullBuffer;
use datafusion_common::arrow::datatypes::DataType;
use datafusion_common::{DataFusionError, Result, ScalarValue, exec_err, plan_err};
use datafusion_expr::registry::FunctionRegistry;
use datafusion_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};
use simdwise::Kernel;

/// One kernel as a UDF.
#[derive(Debug)]
pub struct KernelUdf {
    kernel: &'static Kernel,
    signature: Signature,
}

/// The same UDF when it runs the same kernel (the same descriptor).
impl PartialEq for KernelUdf {
    fn eq(&self, other: &KernelUdf) -> bool {
        std::ptr::eq(self.kernel, other.kernel)
    }
}

impl Eq for KernelUdf {}

impl std::hash::Hash for KernelUdf {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        std::ptr::hash(self.kernel, state);
    }
}

impl KernelUdf {
    pub fn new(kernel: &'static Kernel) -> KernelUdf {
        KernelUdf {
            kernel,
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

/// Every kernel of simdwise as a UDF, named like the kernel.
pub fn udfs() -> Vec<ScalarUDF> {
    simdwise::ALL
        .iter()
        .map(|&k| ScalarUDF::new_from_impl(KernelUdf::new(k)))
        .collect()
}

/// Registers [`udfs`] with `registry` (a `SessionState`, or anything else
/// that holds functions).
pub fn register_all(registry: &mut dyn FunctionRegistry) -> Result<()> {
    for udf in udfs() {
        registry.register_udf(Arc::new(udf))?;
    }
    Ok(())
}

/// A constant argument as f32 (nulls give None).
fn constant(kernel: &Kernel, what: &str, value: &ScalarValue) -> Result<Option<f32>> {
    match value {
        ScalarValue::Float32(v) => Ok(*v),
        other => exec_err!(
            "kernel `{}`: argument `{what}` is {} (a {}), expected a Float32",
            kernel.name(),
            other,
            other.data_type()
        ),
    }
}

impl ScalarUDFImpl for KernelUdf {
    fn name(&self) -> &str {
        self.kernel.name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    /// Every numeric argument becomes Float32 (SQL literals such as `0.1`
    /// are Float64; so is `x + 1.5` for a Float32 `x`).
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let k = self.kernel;
        let params: Vec<&str> = k.inputs().iter().chain(k.scalars()).copied().collect();
        if arg_types.len() != params.len() {
            return plan_err!(
                "kernel `{}` takes {} arguments ({}), got {}",
                k.name(),
                params.len(),
                params.join(", "),
                arg_types.len()
            );
        }
        for (t, name) in arg_types.iter().zip(&params) {
            if !(t.is_numeric() || *t == DataType::Null) {
                return plan_err!("kernel `{}`: argument `{name}` is {t}, expected a number", k.name());
            }
        }
        Ok(vec![DataType::Float32; arg_types.len()])
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        if arg_types.iter().any(|t| *t != DataType::Float32) {
            return plan_err!(
                "kernel `{}` takes Float32 arguments, got {arg_types:?}",
                self.kernel.name()
            );
        }
        Ok(DataType::Float32)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let k = self.kernel;
        let (streams, scalars) = args.args.split_at(k.inputs().len());
        let mut values = Vec::with_capacity(scalars.len());
        for (name, arg) in k.scalars().iter().zip(scalars) {
            match arg {
                ColumnarValue::Scalar(s) => match constant(k, name, s)? {
                    Some(v) => values.push(v),
                    // A null parameter: every result is null.
                    None => return Ok(ColumnarValue::Scalar(ScalarValue::Float32(None))),
                },
                ColumnarValue::Array(_) => {
                    return exec_err!(
                        "kernel `{}`: parameter `{name}` must be a constant, not a column",
                        k.name()
                    );
                }
            }
        }
        let all_scalar = streams.iter().all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let n = if all_scalar { 1 } else { args.number_rows };
        // Each input as a Float32 array of n rows (constants broadcast).
        let arrays = streams
            .iter()
            .zip(k.inputs())
            .map(|(arg, name)| {
                let array = arg.to_array(n)?;
                match array.as_any().downcast_ref::<Float32Array>() {
                    Some(_) => Ok(array),
                    None => exec_err!(
                        "kernel `{}`: input `{name}` is {}, expected Float32",
                        k.name(),
                        array.data_type()
                    ),
                }
            })
            .collect::<Result<Vec<ArrayRef>>>()?;
        let floats: Vec<&Float32Array> = arrays
            .iter()
            .map(|a| a.as_any().downcast_ref::<Float32Array>().expect("checked above"))
            .collect();
        let slices: Vec<&[f32]> = floats.iter().map(|a| a.values().as_ref()).collect();
        let mut out = vec![0.0f32; n];
        simdwise::runtime::run(k, &slices, &values, &mut out).map_err(|e| DataFusionError::Execution(e.to_string()))?;
        let nulls = floats.iter().fold(None, |acc: Option<NullBuffer>, a| {
            NullBuffer::union(acc.as_ref(), a.nulls())
        });
        let result = Float32Array::new(out.into(), nulls);
        if all_scalar {
            return Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&result, 0)?));
        }
        Ok(ColumnarValue::Array(Arc::new(result)))
    }
}
