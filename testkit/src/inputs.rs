//! Test inputs: the values every kernel must get right, and a deterministic
//! random source.

/// Signed zeros, infinities, NaN, subnormals, the extremes and a few ordinary
/// values, each with its two neighbouring floats.
pub fn special_values() -> Vec<f32> {
    let base = [
        0.0,
        -0.0,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
        -f32::NAN,
        f32::MIN_POSITIVE,
        -f32::MIN_POSITIVE,
        f32::from_bits(1),
        -f32::from_bits(1),
        f32::from_bits(3),
        -f32::from_bits(3),
        f32::from_bits(0x007f_ffff),
        f32::MAX,
        f32::MIN,
        f32::EPSILON,
        1e-30,
        -1e-30,
        1.0,
        -1.0,
        0.5,
        -0.5,
        2.0,
        -2.0,
        10.0,
        -10.0,
        100.0,
        -100.0,
    ];
    with_neighbours(&base)
}

/// `points` and, for each finite non-zero one, the floats just below and above.
pub fn with_neighbours(points: &[f32]) -> Vec<f32> {
    let mut v = points.to_vec();
    for &x in points {
        if x.is_finite() && x != 0.0 {
            for delta in [-1i32, 1] {
                v.push(f32::from_bits(x.to_bits().wrapping_add_signed(delta)));
            }
        }
    }
    v
}

/// splitmix64: deterministic, dependency-free test inputs.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `[lo, hi)`.
    pub fn uniform(&mut self, lo: f32, hi: f32) -> f32 {
        let unit = (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32;
        lo + (hi - lo) * unit
    }

    /// A uniformly random bit pattern: every binade, NaNs and infinities included.
    pub fn bits(&mut self) -> f32 {
        f32::from_bits(self.next_u64() as u32)
    }

    pub fn vec(&mut self, n: usize, (lo, hi): (f32, f32)) -> Vec<f32> {
        (0..n).map(|_| self.uniform(lo, hi)).collect()
    }
}
