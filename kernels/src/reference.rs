//! The exact functions the kernels approximate, in f64 (accurate to far better
//! than an f32 ulp over the f32 range), and where each op's interesting inputs
//! are. Used by the tests, the exhaustive ULP sweep and the demo; the error
//! metric is `simdwise_testkit::ulp_error`.

use crate::Kernel;

/// The value the tests and tools pass to `#[scalar]` parameters (leaky_relu's `alpha`).
pub const SCALAR_ARG: f32 = 0.01;

/// The reference of the kernel named `name`, taking the inputs in declaration
/// order (scalars get [`SCALAR_ARG`]).
pub fn function(name: &str) -> Option<fn(&[f64]) -> f64> {
    Some(match name {
        "relu" => |a| if a[0].is_nan() { a[0] } else { a[0].max(0.0) },
        "leaky_relu" => |a| if a[0] > 0.0 { a[0] } else { f64::from(SCALAR_ARG) * a[0] },
        "add" => |a| a[0] + a[1],
        "mul" => |a| a[0] * a[1],
        "exp" => |a| a[0].exp(),
        "tanh" => |a| a[0].tanh(),
        "sigmoid" => |a| sigmoid(a[0]),
        "silu" => |a| {
            if a[0] == f64::NEG_INFINITY {
                -0.0
            } else {
                a[0] * sigmoid(a[0])
            }
        },
        "gelu" => |a| {
            if a[0] == f64::NEG_INFINITY {
                -0.0
            } else {
                gelu_tanh(a[0])
            }
        },
        "exp2" => |a| a[0].exp2(),
        "log" => |a| a[0].ln(),
        "expm1" => |a| a[0].exp_m1(),
        "sqrt" => |a| a[0].sqrt(),
        "reciprocal" => |a| 1.0 / a[0],
        "softplus" => |a| a[0].max(0.0) + (-a[0].abs()).exp().ln_1p(),
        "elu" => |a| {
            if a[0] > 0.0 {
                a[0]
            } else {
                f64::from(SCALAR_ARG) * a[0].exp_m1()
            }
        },
        // The limit at -inf, where the formula would give -inf * 0.
        "hardswish" => |a| {
            if a[0] == f64::NEG_INFINITY {
                -0.0
            } else {
                a[0] * (a[0] + 3.0).clamp(0.0, 6.0) / 6.0
            }
        },
        "abs" => |a| a[0].abs(),
        "erf" => |a| libm::erf(a[0]),
        // 0.5 x erfc(-x / sqrt 2): no cancellation for negative x.
        "gelu_erf" => |a| {
            if a[0] == f64::NEG_INFINITY {
                -0.0
            } else {
                0.5 * a[0] * libm::erfc(-a[0] * std::f64::consts::FRAC_1_SQRT_2)
            }
        },
        _ => return None,
    })
}

/// The reference of `kernel` (every kernel of this crate has one).
pub fn of(kernel: &Kernel) -> fn(&[f64]) -> f64 {
    function(kernel.name()).unwrap_or_else(|| panic!("no reference for kernel `{}`", kernel.name()))
}

/// Where an op's interesting inputs are: random test inputs and benchmark data
/// are drawn from here (wide enough to cross every branch and the saturation).
pub fn range(name: &str) -> (f32, f32) {
    match name {
        "add" | "mul" => (-1000.0, 1000.0),
        "exp" => (-104.0, 89.0),
        "sigmoid" => (-110.0, 30.0),
        "silu" => (-120.0, 30.0),
        "exp2" => (-151.0, 129.0),
        "log" | "sqrt" | "reciprocal" => (0.0, 1000.0),
        "expm1" => (-20.0, 20.0),
        "softplus" | "elu" => (-30.0, 30.0),
        "hardswish" => (-6.0, 6.0),
        "erf" => (-5.0, 5.0),
        "gelu_erf" => (-16.0, 16.0),
        _ => (-10.0, 10.0),
    }
}

fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        x.exp() / (1.0 + x.exp())
    }
}

fn gelu_tanh(x: f64) -> f64 {
    let u = (2.0 / std::f64::consts::PI).sqrt() * (x + 0.044715 * x * x * x);
    // 0.5 x (1 + tanh u) == x sigmoid(2u), without the cancellation.
    x * sigmoid(2.0 * u)
}
