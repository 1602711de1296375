//! Transcendental functions. Each is range reduction plus a short polynomial,
//! written in the kernel language so one definition serves every target.

use simdwise_macros::kernel;

/// `k = round(x log2(e))`: the power of two in `e^x = 2^k (exp_hi(x) + exp_lo(x))`.
///
/// `exp_k`, `exp_r`, `exp_head`, `exp_tail`, `exp_hi` and `exp_lo` are `e^x` in
/// parts, for kernels that need it beyond f32 precision (sigmoid, erf, ...;
/// [`exp`](fn@exp) itself, rounded once, takes a shorter table-driven path): the
/// unevaluated sum `exp_hi + exp_lo` is within 2^-31 of `e^x / 2^k` for
/// |x| <= 104 (callers clamp). Once inlined, the parts share their work.
///
/// ```
/// use simdwise::parts::{exp_hi, exp_k, exp_lo};
/// let x = 3.0f32;
/// let scale = 2f64.powf(exp_k::scalar(x).into());
/// let sum = (f64::from(exp_hi::scalar(x)) + f64::from(exp_lo::scalar(x))) * scale;
/// assert!((sum - 3f64.exp()).abs() <= 3f64.exp() * 2f64.powi(-31));
/// ```
#[kernel]
pub fn exp_k(x: f32) -> f32 {
    round(x * 1.44269504)
}

/// `r = x - k ln2_hi`, exact: `k` has at most 8 significant bits and ln2's high
/// part 15. A part of `e^x`; see [`exp_k`](fn@exp_k).
#[kernel]
pub fn exp_r(x: f32) -> f32 {
    fma(exp_k(x), -0.693145751953125, x)
}

/// `1 + r + r^2/2` rounded: the leading terms of `e^x / 2^k`. A part of
/// `exp`; see [`exp_k`](fn@exp_k).
#[kernel]
pub fn exp_head(x: f32) -> f32 {
    let r = exp_r(x);
    (1.0 + r) + 0.5 * (r * r)
}

/// `e^x / 2^k - exp_head(x)`, to 2^-31: what rounding the head lost (two
/// Fast2Sums and the exact low part of `r^2`), `r^3 Q(r)` with a degree-4
/// minimax `Q`, and the low part of `k ln2`. A part of `e^x`; see
/// [`exp_k`](fn@exp_k).
#[kernel]
pub fn exp_tail(x: f32) -> f32 {
    let r = exp_r(x);
    let one_r = 1.0 + r;
    let half_r2 = 0.5 * (r * r);
    let lost = (((1.0 - one_r) + r) + ((one_r - exp_head(x)) + half_r2)) + 0.5 * mul_lo(r, r);
    let cubic = r * r * r * poly(r, [0.16666667, 0.041666459, 0.0083332751, 0.0013935404, 0.00019913196]);
    // The rest of k*ln2, |c| < 2.2e-4, is not subtracted from r (shader
    // compilers may merge two subtractions of k*ln2 parts into one inexact
    // product) but enters here: e^(r-c) = e^r - c e^r + c^2/2 (to 2^-40).
    let c = exp_k(x) * 1.42860677e-6;
    let shift = fma(c, fma(c, 0.5, -((r + half_r2) + cubic)), -c);
    lost + (cubic + shift)
}

/// `e^x / 2^k` rounded, in [0.70, 1.42]: the high part. A part of `e^x`; see
/// [`exp_k`](fn@exp_k).
#[kernel]
pub fn exp_hi(x: f32) -> f32 {
    exp_head(x) + exp_tail(x)
}

/// What rounding [`exp_hi`](fn@exp_hi) lost, exactly (Fast2Sum): the low part
/// of `e^x / 2^k`, below half an ulp of the high part. A part of `e^x`; see
/// [`exp_k`](fn@exp_k).
#[kernel]
pub fn exp_lo(x: f32) -> f32 {
    (exp_head(x) - exp_hi(x)) + exp_tail(x)
}

/// `e^x`, table-driven: `x = m ln2/16 + r` with |r| <= ln2/32, so
/// `e^x = 2^floor(m/16) 2^((m mod 16)/16) e^r` ([`exp16_m`](fn@exp16_m),
/// [`exp16_s`](fn@exp16_s)). One rounding at the end, up to about 0.07 ulp
/// of earlier errors. Where |x| <= 87 the result is normal and the power of
/// two one `pow2i` (one `vscalefps` on AVX-512, which floors `m/16` itself);
/// other lanes (rare) take a clamped path with `ldexp`, subnormal results
/// included. About 18 instructions per vector on AVX-512.
/// [`sigmoid`](fn@sigmoid), [`expm1`](fn@expm1) and
/// [`gelu_erf`](fn@crate::gelu_erf) keep `e^x` unrounded, as `2^k (pow2_hi +
/// tail)` ([`exp16_tail`](fn@exp16_tail)).
///
/// ```
/// let mut out = [0.0; 2];
/// simdwise::exp(&[0.0, 1.0], &mut out)?;
/// assert_eq!(out[0], 1.0);
/// assert!((out[1] - std::f32::consts::E).abs() <= f32::EPSILON * 3.0);
/// # Ok::<(), simdwise::KernelError>(())
/// ```
#[kernel(max_ulp = 1)]
pub fn exp(x: f32) -> f32 {
    // Clamped, so that no lane forms a subnormal (a microcode assist on x86)
    // before the lanes outside are replaced.
    let xn = clamp(x, -87.0, 87.0);
    let normal = exp16_s(xn) * pow2i(floor(exp16_m(xn) * 0.0625));
    // Past these bounds the result is +inf or rounds to 0; clamping keeps m
    // small (|m| <= 2401).
    let xc = clamp(x, -104.0, 89.0);
    let any = ldexp(exp16_s(xc), floor(exp16_m(xc) * 0.0625));
    rare(xn != x, any, normal)
}

/// `m = round(16x/ln2)`, give or take one at half-way cases: `x = m ln2/16 +
/// r`, the first step of [`exp`](fn@exp), for |x| < 2^17. On CPUs, adding
/// 1.5 * 2^23 rounds to an integer (two instructions; `vrndscaleps` alone is
/// two); a shader compiler may fold that sum away, so WGSL calls `round`
/// (`with_f64` is the CPU/WGSL switch).
#[kernel]
pub fn exp16_m(x: f32) -> f32 {
    with_f64(fma(x, 23.083120, 12582912.0) - 12582912.0, round(x * 23.083120))
}

/// `r = x - m ln2/16`, |r| <= ln2/32, the second step of [`exp`](fn@exp):
/// `ln2/16` in parts, the first with 12 bits, so that `m ln2/16` and `x - m
/// ln2/16` are exact even without FMA.
#[kernel]
pub fn exp16_r(x: f32) -> f32 {
    let m = exp16_m(x);
    let r = fma(m, -0.0433197021484375, x);
    // On CPUs the rest of ln2/16 in one f32 (its product rounds once, by at
    // most 2^-30 of r); lavapipe was 68 ulp off with it, so WGSL splits it.
    with_f64(
        fma(m, -1.9966365e-6, r),
        fma(m, 1.1904089e-10, fma(m, -1.996755599975586e-6, r)),
    )
}

/// `e^x / 2^floor(m/16)` rounded once, in [0.97, 1.96] for |x| <= 104 (see
/// [`exp`](fn@exp)): `e^r - 1 - r` from a degree-3 minimax polynomial
/// (constants from `kernels/fit/exp.py`).
#[kernel]
pub fn exp16_s(x: f32) -> f32 {
    let r = exp16_r(x);
    pow2_frac(exp16_m(x), fma(r * r, fma(r, 0.1666704, 0.50001621), r))
}

/// `e^x / 2^floor(m/16) - pow2_hi(m)`, unrounded: `e^x = 2^floor(m/16)
/// (pow2_hi(m) + exp16_tail(x))` to 2^-33 relative, for a quotient or product
/// that must round once ([`sigmoid`](fn@sigmoid)).
#[kernel]
pub fn exp16_tail(x: f32) -> f32 {
    let m = exp16_m(x);
    fma(pow2_hi(m), exp16_poly(exp16_r(x)), pow2_lo(m))
}

/// `e^r - 1` for |r| <= ln2/32, to degree 4 (Taylor: |r|^5/120 < 2^-34).
#[kernel]
pub fn exp16_poly(r: f32) -> f32 {
    fma(r * r, fma(r, fma(r, 0.041666668, 0.16666667), 0.5), r)
}

/// `2^((m mod 16)/16) (1 + p)` rounded once, for integral `m` and small `p`
/// (|p| < 1/32, so the sum of earlier errors stays below 0.07 ulp). The last
/// step of [`exp`](fn@exp) and [`exp2`](fn@exp2).
#[kernel]
pub fn pow2_frac(m: f32, p: f32) -> f32 {
    let hi = pow2_hi(m);
    hi + fma(hi, p, pow2_lo(m))
}

/// `2^((m mod 16)/16)` rounded, for integral `m`: a 16-entry table indexed by
/// the low bits of `m` (one permute on AVX-512).
#[kernel]
pub fn pow2_hi(m: f32) -> f32 {
    table(
        m,
        [
            1.0, 1.0442737, 1.0905077, 1.1387886, 1.1892071, 1.2418578, 1.2968396, 1.3542556, 1.4142135, 1.4768262,
            1.5422108, 1.6104903, 1.6817929, 1.7562522, 1.8340081, 1.9152066,
        ],
    )
}

/// What [`pow2_hi`](fn@pow2_hi) lost: `2^((m mod 16)/16) - pow2_hi(m)`.
#[kernel]
pub fn pow2_lo(m: f32) -> f32 {
    table(
        m,
        [
            0.0, 4.83347e-8, -1.307754e-8, 5.3862223e-8, 3.7976353e-8, 4.496838e-8, -4.0189995e-8, -1.0123349e-8,
            2.4203235e-8, -4.500899e-8, 8.070905e-9, 9.836217e-9, -2.4755327e-8, -9.23577e-9, -1.1239278e-8,
            9.845328e-9,
        ],
    )
}

/// The interval of `x >= 0` in the table-driven kernels (tanh, erf,
/// gelu_erf): 0 below `start` (a power of two), then 1, 2, ... per quarter
/// binade, with a fraction that `table` truncates. `bits(x) * 2^-21` counts
/// quarter binades (4 times the biased exponent, plus the top two mantissa
/// bits); `start`'s count is exact.
#[kernel]
pub fn quarter_binade(x: f32, start: f32) -> f32 {
    max(0.0, fma(bits(x), 4.7683716e-7, 1.0 - bits(start) * 4.7683716e-7))
}

/// Hyperbolic tangent, table-driven: |x| picks one of 30 intervals (`[0, 1/16]`,
/// then quarter binades up to 9.5) from its bit pattern, and a degree-5
/// polynomial in `t = |x| - centre` with that interval's coefficients gives the
/// result; the constant term is split hi + lo, so that only the last addition
/// rounds. Coefficients from `kernels/fit/tanh.py`. Saturates to ±1 exactly.
/// About 20 instructions per vector on AVX-512, 8 of them table permutes.
///
/// ```
/// assert_eq!(simdwise::tanh::scalar(0.0), 0.0);
/// assert_eq!(simdwise::tanh::scalar(20.0), 1.0);
/// assert!((simdwise::tanh::scalar(0.5) - 0.5f32.tanh()).abs() <= f32::EPSILON);
/// ```
#[kernel(max_ulp = 1)]
pub fn tanh(x: f32) -> f32 {
    // From 9.0109 on tanh rounds to 1, as the last interval's polynomial does
    // up to 9.5; NaN stays NaN (the constant comes first in `min`).
    let m = min(9.5, abs(x));
    let i = quarter_binade(m, 0.0625);
    let centre = table(
        i,
        [
            0.0, 0.0703125, 0.0859375, 0.1015625, 0.1171875, 0.140625, 0.171875, 0.203125, 0.234375, 0.28125, 0.34375,
            0.40625, 0.46875, 0.5625, 0.6875, 0.8125, 0.9375, 1.125, 1.375, 1.625, 1.875, 2.25, 2.75, 3.25, 3.75, 4.5,
            5.5, 6.5, 7.5, 9.0,
        ],
    );
    let t = m - centre;
    let c5 = table(
        i,
        [
            0.13304268, 0.12779889, 0.12512301, 0.1219445, 0.11827954, 0.111992665, 0.102181315, 0.09101401,
            0.078779474, 0.059174366, 0.032049105, 0.0059999377, -0.017107679, -0.04337109, -0.06154365, -0.06268014,
            -0.053080663, -0.032100625, -0.00953627, 0.0013899002, 0.0046004923, 0.0039778417, 0.0019151091,
            0.00077054166, 0.0002926546, 6.830708e-05, 9.27999e-06, 1.2565635e-06, 1.7006934e-07, 9.577887e-09,
        ],
    );
    let c4 = table(
        i,
        [
            0.0, 0.046220716, 0.056102816, 0.06575566, 0.07514137, 0.08862792, 0.10537286, 0.12047573, 0.13374698,
            0.14984088, 0.16406147, 0.16992724, 0.16807863, 0.15324934, 0.119440965, 0.07989824, 0.04336302,
            0.0037008813, -0.021094989, -0.02512117, -0.020848896, -0.01239038, -0.0051511545, -0.0019795096,
            -0.00073987705, -0.00017255543, -2.3399078e-05, -3.1675684e-06, -4.2869928e-07, -2.472495e-08,
        ],
    );
    let c3 = table(
        i,
        [
            -0.333333, -0.32678747, -0.3235886, -0.31977907, -0.3153743, -0.30769086, -0.29554743, -0.281411,
            -0.26549917, -0.23882861, -0.19938765, -0.157444, -0.11502026, -0.054327298, 0.014386373, 0.06425175,
            0.09477684, 0.11097602, 0.09957171, 0.075164065, 0.05180174, 0.027087698, 0.010546238, 0.0039609782,
            0.0014682875, 0.00032842215, 4.448447e-05, 6.0210027e-06, 8.1486667e-07, 3.9868187e-08,
        ],
    );
    let c2 = table(
        i,
        [
            0.0, -0.06985096, -0.08509656, -0.10017785, -0.11506654, -0.1369786, -0.16527174, -0.19233142, -0.2179808,
            -0.25347686, -0.29461515, -0.32809094, -0.3536271, -0.3773113, -0.3842664, -0.3688999, -0.33850914,
            -0.27923712, -0.19875874, -0.13300462, -0.085671104, -0.042508237, -0.016081098, -0.005977179,
            -0.0022072392, -0.0004926087, -6.669505e-05, -9.026701e-06, -1.2216406e-06, -5.9216884e-08,
        ],
    );
    let c1 = table(
        i,
        [
            1.0, 0.9950724, 0.9926509, 0.9897556, 0.98639184, 0.9804824, 0.9710312, 0.9598492, 0.94701916, 0.9248902,
            0.8905574, 0.85155624, 0.80886596, 0.7400734, 0.6443386, 0.5498032, 0.461139, 0.34503177, 0.22590497,
            0.14373437, 0.08979764, 0.043464918, 0.01621429, 0.0059957164, 0.002209893, 0.00049352826, 6.680606e-05,
            9.041479e-06, 1.2236359e-06, 6.101418e-08,
        ],
    );
    let c0_lo = table(
        i,
        [
            0.0, -2.2853324e-09, -2.677103e-10, 1.8210031e-09, 2.3955524e-09, 2.4971738e-09, -6.447234e-09,
            -7.1599454e-10, 7.2681385e-09, -1.4744405e-09, -9.207909e-09, -1.0525745e-08, 1.0792765e-08,
            -2.4350545e-08, -2.5868405e-09, -2.7830414e-08, 2.6487218e-08, -5.907239e-09, -2.3566011e-08,
            -2.9499123e-08, 2.4146622e-08, 1.7176617e-08, -1.3658705e-08, -2.0810381e-08, -1.10523155e-08,
            2.2711427e-08, -2.5738453e-08, 9.101765e-09, -1.5785435e-08, 2.9048753e-08,
        ],
    );
    let c0_hi = table(
        i,
        [
            0.0, 0.07019686, 0.08572657, 0.10121473, 0.11665399, 0.1397053, 0.17020231, 0.20037672, 0.2301757,
            0.2740616, 0.33082113, 0.38528398, 0.43718877, 0.50983, 0.59637356, 0.6709671, 0.7340715, 0.8093011,
            0.8798267, 0.92534626, 0.95404524, 0.9780261, 0.99185973, 0.99699765, 0.99889445, 0.9997532, 0.9999666,
            0.99999547, 0.9999994, 0.99999994,
        ],
    );
    // c0_lo + c1 t + t^2 (c2 + ..) with the large c1 t rounded on its own, so
    // that on [0, 1/16] (c0 = 0, c1 = 1) the sum is t plus a small correction.
    let q = fma(fma(fma(c5, t, c4), t, c3), t, c2) * t;
    let low = fma(q, t, fma(c1, t, c0_lo));
    copysign(c0_hi + low, x)
}

/// `e^-w` in f64 lanes, for |w| <= 700, relative error below 2^-45: `-w = k
/// ln2 + r` with `k = round(-w log2 e)`, `ln2` in two parts (the first with 32
/// bits, so `k ln2_hi` is exact), and `e^r` from a degree-9 fit on |r| <=
/// ln2/2 whose constant term is 1 (so `e^-0` is exactly 1). An f64 helper: sigmoid, silu and gelu divide by `1 + e^-w` and
/// round once.
#[kernel]
pub fn exp_neg_wide(w: f64) -> f64 {
    let k = round(w * -1.4426950408889634);
    // s = w + k ln2 = -r, so the polynomial is e^-s.
    let s = fma(k, 0.6931471803691238, w);
    let s = fma(k, 1.9082149292705877e-10, s);
    let p = poly(
        s,
        [
            1.0,
            -0.9999999999998621,
            0.4999999999960302,
            -0.16666666668158137,
            0.04166666698837486,
            -0.008333332903081001,
            0.001388880777002019,
            -0.00019841707479508483,
            2.4882169655145994e-5,
            -2.744099157588715e-6,
        ],
    );
    p * pow2i(k)
}

/// The argument of `e^t` behind [`sigmoid`](fn@sigmoid): `-|x|`, or for
/// x < -80 the input shifted by `64 ln2` (its high part, exact there), so that
/// `e^t` is computed scaled by 2^64 and no subnormal is ever formed.
#[kernel]
pub fn sigmoid_t(x: f32) -> f32 {
    // sigmoid(-120) already rounds to 0; e^-80 is below every rounding error here.
    let x = max(x, -120.0);
    select(x < -80.0, x + 44.361328125, max(-abs(x), -80.0))
}

/// The power of two in `sigmoid(x) = 2^k (sigmoid_hi(x) + sigmoid_lo(x))`: 0 for
/// x >= 0, the `k` of `e^x` below (less 64 where that is computed scaled).
#[kernel]
pub fn sigmoid_k(x: f32) -> f32 {
    let k = exp_k(sigmoid_t(x));
    select(x < 0.0, select(x < -80.0, k - 64.0, k), 0.0)
}

/// The high part of `sigmoid(x) / 2^k`: `n / d` rounded, with `d = 1 + e`,
/// `n = 1` for x >= 0 and `n = e / 2^k` below, `e = e^-|x|`.
#[kernel]
pub fn sigmoid_hi(x: f32) -> f32 {
    let t = sigmoid_t(x);
    let h = exp_hi(t);
    // 2^max(k, -40): where e < 2^-40 the denominator is 1 to far below an ulp.
    select(x < 0.0, h, 1.0) / (1.0 + h * pow2i(max(exp_k(t), -40.0)))
}

/// The low part of `sigmoid(x) / 2^k`: the remainder of the division behind
/// [`sigmoid_hi`](fn@sigmoid_hi), from exact sums and products, divided by `d`.
#[kernel]
pub fn sigmoid_lo(x: f32) -> f32 {
    let t = sigmoid_t(x);
    let h = exp_hi(t);
    // e^(x + 64 ln2) = e^t (1 + 9.1435016e-5): the low part of 64 ln2.
    let l = select(x < -80.0, fma(h, 9.1435016e-5, exp_lo(t)), exp_lo(t));
    let scale = pow2i(max(exp_k(t), -40.0));
    let a = h * scale;
    let d = 1.0 + a;
    let d_lo = ((1.0 - d) + a) + l * scale;
    let n = select(x < 0.0, h, 1.0);
    let n_lo = select(x < 0.0, l, 0.0);
    let q = sigmoid_hi(x);
    let rem = ((n - q * d) - mul_lo(q, d)) + (n_lo - q * d_lo);
    rem / d
}

/// `t = -|x|` kept at or above -80, the argument of `e^t` behind the f32
/// [`sigmoid`](fn@sigmoid) on CPUs: above 80 sigmoid rounds to 1 as at 80
/// (below -80 it is computed otherwise).
#[kernel]
pub fn sigmoid_e_t(x: f32) -> f32 {
    max(-80.0, -abs(x))
}

/// `e^t / 2^k` rounded ([`sigmoid_e_t`](fn@sigmoid_e_t), `k = floor(m/16)`),
/// in [0.97, 1.96].
#[kernel]
pub fn sigmoid_e(x: f32) -> f32 {
    let t = sigmoid_e_t(x);
    pow2_hi(exp16_m(t)) + exp16_tail(t)
}

/// What [`sigmoid_e`](fn@sigmoid_e) lost, exactly (Fast2Sum).
#[kernel]
pub fn sigmoid_e_lo(x: f32) -> f32 {
    let t = sigmoid_e_t(x);
    exp16_tail(t) - (sigmoid_e(x) - pow2_hi(exp16_m(t)))
}

/// `2^k` of `e^t`, kept at or above 2^-40: below that `e^t` moves `1 + e^t`
/// by less than 2^-39 of an ulp.
#[kernel]
pub fn sigmoid_d_scale(x: f32) -> f32 {
    // `1 * 2^k`: one `vscalefps` on AVX-512, which floors `k` itself.
    1.0 * pow2i(floor(max(-40.0, exp16_m(sigmoid_e_t(x)) * 0.0625)))
}

/// `d = 1 + e^t` rounded, `e^t` from [`sigmoid_e`](fn@sigmoid_e) and
/// [`sigmoid_d_scale`](fn@sigmoid_d_scale).
#[kernel]
pub fn sigmoid_d(x: f32) -> f32 {
    fma(sigmoid_e(x), sigmoid_d_scale(x), 1.0)
}

/// What [`sigmoid_d`](fn@sigmoid_d) lost: `1 + e^t - d`, from an exact sum
/// (`1 >= e^t`, so `e^t - (d - 1)` is a float, and one FMA computes it) and
/// `e^t`'s low part.
#[kernel]
pub fn sigmoid_d_lo(x: f32) -> f32 {
    let s = sigmoid_d_scale(x);
    fma(sigmoid_e_lo(x), s, fma(sigmoid_e(x), s, 1.0 - sigmoid_d(x)))
}

/// The numerator `n` of `sigmoid(x) = 2^k n / (1 + e)`, `e = e^t`: 1 for x >=
/// 0, `e / 2^k` rounded ([`sigmoid_e`](fn@sigmoid_e)) below.
#[kernel]
pub fn sigmoid_n(x: f32) -> f32 {
    select(x < 0.0, sigmoid_e(x), 1.0)
}

/// What [`sigmoid_n`](fn@sigmoid_n) lost: 0 for x >= 0,
/// [`sigmoid_e_lo`](fn@sigmoid_e_lo) below.
#[kernel]
pub fn sigmoid_n_lo(x: f32) -> f32 {
    select(x < 0.0, sigmoid_e_lo(x), 0.0)
}

/// `n / d` to 2^-14 (a reciprocal estimate), `n` from
/// [`sigmoid_n`](fn@sigmoid_n), `d` from [`sigmoid_d`](fn@sigmoid_d).
#[kernel]
pub fn sigmoid_q(x: f32) -> f32 {
    sigmoid_n(x) * recip(sigmoid_d(x))
}

/// The remainder `n - q d` of [`sigmoid_q`](fn@sigmoid_q), `n` and `d` as hi
/// + lo: `q + rem recip(d)` is within 2^-28 of `n / d`.
#[kernel]
pub fn sigmoid_rem(x: f32) -> f32 {
    let q = sigmoid_q(x);
    fma(-q, sigmoid_d(x), sigmoid_n(x)) + fma(-q, sigmoid_d_lo(x), sigmoid_n_lo(x))
}

/// `k` of [`sigmoid_q`](fn@sigmoid_q) before its floor: `m/16` of `e^t` for
/// x < 0, 0 from 0 on. A caller writes `pow2i(floor(..))`, which AVX-512
/// lowers to one `vscalefps` (it floors `k` itself).
#[kernel]
pub fn sigmoid_e_k(x: f32) -> f32 {
    select(x < 0.0, exp16_m(sigmoid_e_t(x)) * 0.0625, 0.0)
}

/// The logistic function `1 / (1 + e^-x)`. On targets with FMA (AVX2,
/// AVX-512, NEON) from x >= -80 on in f32: `2^k (q + rem recip(d))` rounded
/// once ([`sigmoid_q`](fn@sigmoid_q), the quotient of the table-driven
/// `e^-|x|` as hi + lo by `1 + e^-|x|` as hi + lo, refined by its remainder:
/// within 2^-28 before that rounding); below -80 (rare), and on SSE2 and
/// scalar code, in f64 lanes, where nothing overflows: `e^-x` from
/// [`exp_neg_wide`](mod@exp_neg_wide), one division, and one rounding to f32
/// at the end, subnormal results (x < -87.3) included. The shader computes
/// in f32 from `e = e^-|x|`: `1 / (1 + e)` for x >= 0 and `e / (1 + e)`
/// below, the division corrected by its remainder and the power of two of
/// `e` applied last.
///
/// ```
/// let mut v = [0.0, 100.0, -100.0];
/// simdwise::sigmoid::in_place(&mut v)?;
/// assert_eq!(v[0], 0.5);
/// assert_eq!(v[1], 1.0);
/// assert!(v[2] > 0.0 && v[2] < 1e-40);
/// # Ok::<(), simdwise::KernelError>(())
/// ```
#[kernel(max_ulp = 1)]
pub fn sigmoid(x: f32) -> f32 {
    // Below -120 the result rounds to 0, above 40 to 1.
    let wide = narrow(1.0 / (1.0 + exp_neg_wide(widen(clamp(x, -120.0, 40.0)))));
    let q = fma(sigmoid_rem(x), recip(sigmoid_d(x)), sigmoid_q(x));
    let common = q * pow2i(floor(sigmoid_e_k(x)));
    // The remainder is exact only where `fma` rounds once.
    with_f64(
        with_fma(rare(x < -80.0, wide, common), wide),
        ldexp(sigmoid_hi(x) + sigmoid_lo(x), sigmoid_k(x)),
    )
}

/// `2^x`: `x = m/16 + r` exactly ([`exp2_m`](fn@exp2_m)), so `2^x =
/// 2^floor(m/16) 2^((m mod 16)/16) 2^r` ([`exp2_s`](fn@exp2_s), the table
/// shared with [`exp`](fn@exp)); the power of two as in `exp`.
///
/// ```
/// assert_eq!(simdwise::exp2::scalar(10.0), 1024.0);
/// assert_eq!(simdwise::exp2::scalar(-149.0), f32::from_bits(1));
/// ```
#[kernel(max_ulp = 1)]
pub fn exp2(x: f32) -> f32 {
    // As for `exp`: lanes outside [-126, 127] (rare) take a clamped path
    // with `ldexp`; no lane forms a subnormal before they are replaced.
    let xn = clamp(x, -126.0, 127.0);
    let normal = exp2_s(xn) * pow2i(floor(exp2_m(xn) * 0.0625));
    let xc = clamp(x, -151.0, 129.0);
    let any = ldexp(exp2_s(xc), floor(exp2_m(xc) * 0.0625));
    rare(xn != x, any, normal)
}

/// `m = round(16x)`: `x = m/16 + r` exactly, the first step of
/// [`exp2`](fn@exp2), for |x| < 2^18; computed as [`exp16_m`](fn@exp16_m) is.
#[kernel]
pub fn exp2_m(x: f32) -> f32 {
    with_f64(fma(x, 16.0, 12582912.0) - 12582912.0, round(x * 16.0))
}

/// `2^x / 2^floor(m/16)` rounded once, in [0.98, 1.96]: `2^r - 1 = r q(r)`
/// with |r| <= 1/32 and `q` of degree 2, fitted by `kernels/fit/exp.py`.
#[kernel]
pub fn exp2_s(x: f32) -> f32 {
    let m = exp2_m(x);
    let r = fma(m, -0.0625, x);
    pow2_frac(m, r * poly(r, [0.69314718, 0.2402343, 0.055505954]))
}

/// `log(1 + f) - f` for |f| <= 0.42: `-f^2/2 + f^3 P(f)`, the part of the
/// logarithm that [`log`](fn@log) and [`softplus`](fn@softplus) add to an exact `f`.
#[kernel]
pub fn log1p_c(f: f32) -> f32 {
    let f2 = f * f;
    let p = poly(
        f,
        [
            0.33333313, -0.25000009, 0.20002119, -0.16667995, 0.14219548, -0.12405592, 0.11888196, -0.11675648,
            0.067465626,
        ],
    );
    fma(f2 * f, p, -0.5 * f2)
}

/// Natural logarithm. `x = m 2^e` with `m` centred on 1 (`[sqrt(1/2), sqrt(2))`),
/// `log(1 + f) = f - f^2/2 + f^3 P(f)` with `f = m - 1` exact, plus `e ln2` in
/// two parts. Lanes that are not positive normal numbers (rare) take a
/// branch: subnormal inputs are scaled into the normal range first,
/// `log(±0) = -inf`, `log(x < 0) = NaN`, `log(inf) = inf`.
///
/// ```
/// assert_eq!(simdwise::log::scalar(1.0), 0.0);
/// assert!((simdwise::log::scalar(std::f32::consts::E) - 1.0).abs() <= f32::EPSILON);
/// assert_eq!(simdwise::log::scalar(0.0), f32::NEG_INFINITY);
/// assert!(simdwise::log::scalar(-1.0).is_nan());
/// ```
#[kernel(max_ulp = 1)]
pub fn log(x: f32) -> f32 {
    let normal = x >= 1.17549435e-38 && x <= 3.4028235e38;
    rare(!normal, log_any(x), log_me(x, exponent(x)))
}

/// `log(mantissa(x)) + e ln2` for positive normal `x` and integral `e`: the
/// body of [`log`](fn@log).
#[kernel]
pub fn log_me(x: f32, e: f32) -> f32 {
    let m = mantissa(x);
    let high = m > 1.41421356;
    let e = select(high, e + 1.0, e);
    let f = select(high, m * 0.5, m) - 1.0;
    let y = log1p_c(f) + f;
    fma(e, 0.693145751953125, fma(e, 1.42860677e-6, y))
}

/// `log(x)` for any `x`, the rare lanes of [`log`](fn@log).
#[kernel]
pub fn log_any(x: f32) -> f32 {
    let tiny = x < 1.17549435e-38;
    // Subnormals scaled by 2^23 into the normal range.
    let xs = select(tiny, x * 8388608.0, x);
    let r = log_me(xs, exponent(xs) - select(tiny, 23.0, 0.0));
    // -1/|x| is -inf for ±0; (x - x)/(x - x) is NaN for negative x and NaN.
    let r = select(x == 0.0, -1.0 / abs(x), r);
    let r = select(x > 3.4028235e38, x, r);
    select(x >= 0.0, r, (x - x) / (x - x))
}

/// `e^x - 1`, accurate near 0 where `exp(x) - 1` cancels: for |x| < 0.35 a
/// polynomial ([`expm1_small`](fn@expm1_small)), up to 16 `2^k (H + T) - 1`
/// from the table-driven exp's parts ([`expm1_table`](fn@expm1_table)), with
/// `2^k H - 1` as an exact sum, so only the final addition rounds; above 16
/// (rare) the `-1` is folded into the tail ([`expm1_big`](fn@expm1_big)).
/// Saturates to -1 below -17. The shader keeps the double-word formulation
/// it was verified with on lavapipe (`2^k (hi + lo) - 1` from
/// [`exp_hi`](fn@exp_hi), with TwoSum), where the sums above lost their
/// exactness (1.02 ulp).
///
/// ```
/// let tiny = 1e-10f32;
/// assert_eq!(simdwise::expm1::scalar(tiny), tiny);
/// assert_eq!(simdwise::expm1::scalar(-30.0), -1.0);
/// ```
#[kernel(max_ulp = 1)]
pub fn expm1(x: f32) -> f32 {
    // e^-40 is far below half an ulp of -1; the clamp keeps 2^k normal.
    let v = select(abs(x) < 0.35, expm1_small(x), expm1_table(max(-40.0, x)));
    let cpu = rare(x > 16.0, expm1_big(x), v);
    // The shader's: exp's own clamp; 2^k kept normal; from 20 on e^x - 1
    // rounds to e^x.
    let xc = clamp(x, -104.0, 89.0);
    let scale = pow2i(clamp(exp_k(xc), -40.0, 40.0));
    let a = exp_hi(xc) * scale;
    let m = a - 1.0;
    let z = m - a;
    let m_lo = ((a - (m - z)) - (1.0 + z)) + exp_lo(xc) * scale;
    let shader = rare(x > 20.0, exp(x), m + m_lo);
    // The sign of x, also for -0.
    copysign(with_f64(cpu, shader), x)
}

/// `e^x - 1` for |x| <= 0.35: `x + x^2/2 + x^3 s(x)`, `s` of degree 4
/// (`kernels/fit/expm1.py`: within 2^-31 of it, relative), rounded about
/// once: the terms after `x` add at most 0.18 of it.
#[kernel]
pub fn expm1_small(x: f32) -> f32 {
    let s = poly(x, [0.16666666, 0.041666474, 0.008333423, 0.0013934217, 0.00019823757]);
    fma(x * x, fma(x, s, 0.5), x)
}

/// `e^x - 1` for 0.35 <= |x| <= 16: `e^x = 2^k (H + T)` with `H =
/// 2^((m mod 16)/16)` from the table and the unrounded `T`
/// ([`exp16_tail`](fn@exp16_tail)); `2^k H - 1` is an exact sum `s + e`
/// (Fast2Sum where `2^k H < 1`; below 2^24 `2^k H - 1` is itself exact), so
/// `s + (e + 2^k T)` rounds once, up to `T`'s own rounding (2^-24 of at most
/// 4% of `e^x`, which |e^x / (e^x - 1)| <= 3.4 magnifies to 0.14 ulp).
#[kernel]
pub fn expm1_table(x: f32) -> f32 {
    let m = exp16_m(x);
    let a = pow2_hi(m) * pow2i(floor(m * 0.0625));
    let s = a - 1.0;
    s + ((a - (s + 1.0)) + exp16_tail(x) * pow2i(floor(m * 0.0625)))
}

/// `e^x - 1` for x > 16: `2^k (H + (T - 2^-k))`, the `-1` a small part of the
/// tail, with `ldexp` for the overflow past 88.7; below 2^-40 of `H`,
/// `2^-k` is left at 2^-40, far below an ulp.
#[kernel]
pub fn expm1_big(x: f32) -> f32 {
    let xc = min(x, 89.0);
    let m = exp16_m(xc);
    let k = floor(m * 0.0625);
    ldexp(pow2_hi(m) + (exp16_tail(xc) - pow2i(max(-40.0, -k))), k)
}

/// Square root, correctly rounded on every CPU target. With FMA, for x in
/// [2^-100, 2^128) (where the residual below is a normal float), from multiply-adds, which pipeline where the square-root unit
/// takes one vector per several cycles: `g ~ sqrt(x)` and `h ~ 1/(2 sqrt(x))`
/// from the reciprocal square root estimate and one step of Goldschmidt's
/// iteration (to 2^-27), then `g + (x - g^2) h` rounded once, with the
/// residual `x - g^2` exact (Markstein's correction; the exhaustive sweep
/// confirms correct rounding on all 2^32 inputs). Other lanes (zero,
/// negative, tiny, inf, NaN: rare) and targets without FMA use `sqrt`.
///
/// ```
/// assert_eq!(simdwise::sqrt::scalar(2.25), 1.5);
/// assert!(simdwise::sqrt::scalar(-1.0).is_nan());
/// ```
#[kernel]
pub fn sqrt(x: f32) -> f32 {
    let y = rsqrt(x);
    let g = x * y;
    let h = 0.5 * y;
    let r = fma(-g, h, 0.5);
    let g = fma(g, r, g);
    let h = fma(h, r, h);
    let fast = fma(fma(-g, g, x), h, g);
    let in_range = x >= 7.888609e-31 && x <= 3.4028235e38;
    with_fma(rare(!in_range, sqrt(x), fast), sqrt(x))
}

/// `1 / x`, correctly rounded on every CPU target.
///
/// ```
/// assert_eq!(simdwise::reciprocal::scalar(4.0), 0.25);
/// assert_eq!(simdwise::reciprocal::scalar(-0.0), f32::NEG_INFINITY);
/// ```
#[kernel]
pub fn reciprocal(x: f32) -> f32 {
    1.0 / x
}

/// The error function, table-driven like [`tanh`](fn@tanh): |x| picks one of
/// 24 intervals (quarter binades from 1/16 to 4) from its bit pattern, and a
/// degree-6 polynomial in `t = |x| - centre` with that interval's coefficients
/// (constant term split hi + lo, `c1 t` rounded on its own) gives the result,
/// rounded once up to small terms. Below 1/16, `|x| + |x| c(x^2)` with the
/// series of `erf(x)/x - 1`. Coefficients from `kernels/fit/erf.py`. Rounds to
/// ±1 from |x| = 3.9192 on; the sign is restored last.
///
/// ```
/// assert_eq!(simdwise::erf::scalar(0.0), 0.0);
/// assert_eq!(simdwise::erf::scalar(5.0), 1.0);
/// assert!((simdwise::erf::scalar(0.5) - 0.52049988).abs() <= f32::EPSILON);
/// ```
#[kernel(max_ulp = 1)]
pub fn erf(x: f32) -> f32 {
    // The last interval's polynomial rounds to 1 up to 4; NaN stays NaN (the
    // constant comes first in `min`).
    let m = min(3.96875, abs(x));
    let i = quarter_binade(m, 0.0625);
    let centre = table(
        i,
        [
            0.0, 0.0703125, 0.0859375, 0.1015625, 0.1171875, 0.140625, 0.171875, 0.203125, 0.234375, 0.28125, 0.34375,
            0.40625, 0.46875, 0.5625, 0.6875, 0.8125, 0.9375, 1.125, 1.375, 1.625, 1.875, 2.25, 2.75, 3.25, 3.75,
        ],
    );
    let c6 = table(
        i,
        [
            0.0, -4.4195313e-05, -3.413821e-05, -2.6870017e-05, -2.1283295e-05, -0.025189612, -0.030134719,
            -0.034687895, -0.03865044, -0.043753993, -0.048572764, -0.05096815, -0.05092732, -0.046588577, -0.03460334,
            -0.018663801, -0.0025445549, 0.015321798, 0.02203015, 0.014400528, 0.0041509746, -0.0027793217,
            -0.0016678689, -0.00027376277, -2.0692998e-05,
        ],
    );
    let c5 = table(
        i,
        [
            0.0, 0.11007064, 0.10871668, 0.10709073, 0.10522215, 0.10192571, 0.0967263, 0.09064419, 0.08376112,
            0.0721153, 0.05472509, 0.035983104, 0.016804263, -0.010797416, -0.04157816, -0.061653685, -0.0694918,
            -0.06106099, -0.03064394, -0.0023033437, 0.011327959, 0.010581104, 0.0028258616, 0.0003326236,
            2.020602e-05,
        ],
    );
    let c4 = table(
        i,
        [
            0.0, 0.039342664, 0.047889907, 0.056320794, 0.06461522, 0.0767601, 0.09229324, 0.10694397, 0.12058046,
            0.13887876, 0.15875043, 0.17294984, 0.18119732, 0.1824927, 0.16559629, 0.13263373, 0.09094084, 0.027975768,
            -0.030499356, -0.04971878, -0.042260345, -0.019088278, -0.0032577089, -0.0002861691, -1.3785364e-05,
        ],
    );
    let c3 = table(
        i,
        [
            0.0, -0.37057078, -0.36784413, -0.3645868, -0.36080667, -0.3541766, -0.3436023, -0.33114007, -0.3169086,
            -0.29254165, -0.25522465, -0.21363991, -0.16924651, -0.10064884, -0.012822049, 0.062259223, 0.11835609,
            0.16245028, 0.157938, 0.11484193, 0.06744214, 0.02172698, 0.0027582054, 0.0001952188, 7.911681e-06,
        ],
    );
    let c2 = table(
        i,
        [
            0.0, -0.07894789, -0.09625658, -0.11342498, -0.13042842, -0.15557122, -0.18829477, -0.21993764,
            -0.25032824, -0.29322043, -0.34465116, -0.38866273, -0.42459053, -0.46255577, -0.48356602, -0.47377944,
            -0.43926054, -0.3580582, -0.23424469, -0.13076742, -0.06289843, -0.016070157, -0.0016122675, -9.486934e-05,
            -3.3060717e-06,
        ],
    );
    let c1 = table(
        i,
        [
            0.0, 1.1228144, 1.1200765, 1.1167998, 1.1129892, 1.1062843, 1.0955333, 1.0827699, 1.0680671, 1.0425615,
            1.0026217, 0.9567082, 0.90579313, 0.82232136, 0.7033687, 0.58311313, 0.46854457, 0.31827396, 0.17035978,
            0.08047225, 0.033545826, 0.0071423, 0.0005862943, 2.9193652e-05, 8.818872e-07,
        ],
    );
    let c0_lo = table(
        i,
        [
            0.0, 1.977716e-09, 2.6871487e-09, -3.632129e-10, 1.7352786e-10, 1.379312e-09, 7.3848385e-09,
            -6.9209003e-09, 8.857471e-09, 1.0727472e-08, 4.517742e-09, 2.1257975e-09, 8.624051e-09, 1.6231718e-08,
            -5.2733484e-09, -9.447764e-09, 2.6389044e-09, 1.5212242e-08, 6.9040245e-09, -8.55862e-09, 2.7857443e-08,
            -1.8724423e-08, -9.271929e-09, -1.1235254e-08, 5.4834053e-09,
        ],
    );
    let c0_hi = table(
        i,
        [
            0.0, 0.079208605, 0.09673189, 0.11420819, 0.13162911, 0.15763852, 0.19204724, 0.22608839, 0.25970015,
            0.30918372, 0.3731292, 0.4343869, 0.49261346, 0.57367444, 0.66908467, 0.74946404, 0.8151024, 0.8883882,
            0.94817007, 0.97844374, 0.99199003, 0.9985373, 0.9998994, 0.9999957, 0.9999999,
        ],
    );
    let t = m - centre;
    let q = fma(fma(fma(fma(c6, t, c5), t, c4), t, c3), t, c2) * t;
    let low = fma(q, t, fma(c1, t, c0_lo));
    // erf(x)/x - 1 = (2/sqrt(pi)) (1 - x^2/3 + x^4/10) - 1 to 2^-29 below 1/16.
    let small = fma(m, poly(m * m, [0.12837917, -0.37612638, 0.11283792]), m);
    copysign(select(m < 0.0625, small, c0_hi + low), x)
}
