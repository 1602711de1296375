//! Checks and benches for any `#[kernel]` op, written for the crate that
//! defines it (use it as a dev-dependency):
//!
//! - [`Accuracy`]: every variant this CPU runs against an f64 reference, over
//!   special values and dense samples; an error names the worst input when a
//!   variant exceeds the kernel's declared `max_ulp`, and the ISAs that could not
//!   run are reported as skipped, never as passed;
//! - [`bench_kernel`]: criterion groups for every variant, the dispatched call
//!   and each of the runtime's plans, at the sizes given;
//! - [`sweep`]: all 2^32 inputs of a one-input kernel through its variants,
//!   for a command of your own (this repository's `ulp` is one);
//! - [`ulp_error`], [`special_values`], [`Rng`]: the pieces, for tests of your own.
//!
//! For the generated code itself (snapshots), see `simdwise_codegen::generate_file`.

mod accuracy;
mod bench;
mod inputs;
mod sweep;

pub use accuracy::{Accuracy, AccuracyError, Report, VariantReport};
pub use bench::bench_kernel;
pub use inputs::{Rng, special_values, with_neighbours};
pub use sweep::{SweepStats, sweep};

/// Whether two results of a kernel are the same: the same bits, or both NaN
/// (the sign and payload of a NaN result are not specified).
pub fn same_result(a: f32, b: f32) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// Error of `got` in units in the last place of the exact result `want` (0.5
/// for a correctly rounded result). NaN must meet NaN, and an infinite or
/// overflowing result must be matched exactly; either miss is infinite error.
/// A zero result must carry the sign of a zero exact result.
pub fn ulp_error(got: f32, want: f64) -> f64 {
    if want.is_nan() || got.is_nan() {
        return if want.is_nan() && got.is_nan() {
            0.0
        } else {
            f64::INFINITY
        };
    }
    let rounded = want as f32;
    if rounded.is_infinite() || got.is_infinite() {
        return if got == rounded { 0.0 } else { f64::INFINITY };
    }
    if got == 0.0 && want == 0.0 && got.is_sign_negative() != want.is_sign_negative() {
        return f64::INFINITY;
    }
    // The ulp of the f32 binade holding `want`; subnormals share the smallest.
    let exponent = (rounded.abs().max(f32::MIN_POSITIVE).to_bits() >> 23) as i32 - 127;
    let ulp = 2f64.powi(exponent - 23);
    (f64::from(got) - want).abs() / ulp
}

#[cfg(test)]
mod tests {
    use super::ulp_error;

    #[test]
    fn ulp_error_counts_units_of_the_exact_result() {
        assert_eq!(ulp_error(1.0, 1.0), 0.0);
        assert_eq!(ulp_error(1.0 + f32::EPSILON, 1.0), 1.0);
        assert_eq!(ulp_error(f32::NAN, f64::NAN), 0.0);
        assert_eq!(ulp_error(1.0, f64::NAN), f64::INFINITY);
        assert_eq!(ulp_error(f32::INFINITY, 1e300), 0.0);
        assert_eq!(ulp_error(-0.0, 0.0), f64::INFINITY);
        assert_eq!(ulp_error(f32::from_bits(1), 0.0), 1.0);
    }
}
