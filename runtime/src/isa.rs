//! Instruction sets a kernel variant can target, and what this CPU has.

use std::fmt;
use std::str::FromStr;

use crate::KernelError;

/// An instruction set with a generated variant. Ordered by preference on its
/// architecture: a later ISA is faster where the CPU has it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Isa {
    /// Portable Rust, the reference and fallback; available everywhere.
    Scalar = 0,
    /// x86-64 baseline, 4 lanes.
    Sse2 = 1,
    /// AVX2 + FMA (+ F16C, which every CPU with both has), 8 lanes.
    Avx2 = 2,
    /// AVX-512F, 16 lanes, masked tails.
    Avx512 = 3,
    /// AArch64 Advanced SIMD, 4 lanes.
    Neon = 4,
}

impl Isa {
    pub const COUNT: usize = 5;
    pub const ALL: [Isa; Isa::COUNT] = [Isa::Scalar, Isa::Sse2, Isa::Avx2, Isa::Avx512, Isa::Neon];

    /// The lowercase name used by `KERNELS_ISA` and in reports.
    pub const fn name(self) -> &'static str {
        match self {
            Isa::Scalar => "scalar",
            Isa::Sse2 => "sse2",
            Isa::Avx2 => "avx2",
            Isa::Avx512 => "avx512",
            Isa::Neon => "neon",
        }
    }

    /// The CPU features the variant is compiled for.
    pub const fn features(self) -> &'static str {
        match self {
            Isa::Scalar => "none",
            Isa::Sse2 => "sse2",
            Isa::Avx2 => "avx2, fma, f16c",
            Isa::Avx512 => "avx512f",
            Isa::Neon => "neon",
        }
    }

    /// f32 lanes of one vector.
    pub const fn lanes(self) -> usize {
        match self {
            Isa::Scalar => 1,
            Isa::Sse2 | Isa::Neon => 4,
            Isa::Avx2 => 8,
            Isa::Avx512 => 16,
        }
    }

    pub(crate) const fn from_index(i: u8) -> Isa {
        Isa::ALL[i as usize]
    }

    /// Whether this CPU can run the variant (feature detection is cached by std).
    pub fn is_available(self) -> bool {
        match self {
            Isa::Scalar => true,
            #[cfg(target_arch = "x86_64")]
            Isa::Sse2 => true,
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => {
                is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") && is_x86_feature_detected!("f16c")
            }
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => is_x86_feature_detected!("avx512f"),
            #[cfg(target_arch = "aarch64")]
            Isa::Neon => std::arch::is_aarch64_feature_detected!("neon"),
            #[allow(unreachable_patterns)]
            _ => false,
        }
    }

    /// Whether the `run_bf16_native` loops run: this CPU has the ISA's
    /// half-precision extension (AVX-512 BF16, BW and DQ for AVX-512), and
    /// `KERNELS_HALF_EXTENSION=off` (read once; for testing the plain loops
    /// on such a CPU) is not set.
    pub fn has_half_extension(self) -> bool {
        #[cfg(target_arch = "x86_64")]
        if self == Isa::Avx512 {
            static OFF: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
            let off = *OFF.get_or_init(|| std::env::var_os("KERNELS_HALF_EXTENSION").is_some_and(|v| v == "off"));
            return !off
                && self.is_available()
                && is_x86_feature_detected!("avx512bf16")
                && is_x86_feature_detected!("avx512bw")
                && is_x86_feature_detected!("avx512dq");
        }
        false
    }

    /// An error unless this CPU can run the variant.
    pub fn check_available(self) -> Result<(), KernelError> {
        if self.is_available() {
            Ok(())
        } else {
            Err(KernelError::IsaUnavailable { isa: self })
        }
    }

    /// Every ISA this CPU can run, in ascending preference.
    pub fn available() -> impl Iterator<Item = Isa> {
        Isa::ALL.into_iter().filter(|isa| isa.is_available())
    }

    /// The most preferred ISA this CPU can run.
    pub fn best() -> Isa {
        Isa::available().last().unwrap_or(Isa::Scalar)
    }
}

impl fmt::Display for Isa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Isa {
    type Err = KernelError;

    fn from_str(s: &str) -> Result<Isa, KernelError> {
        let wanted = s.trim().to_ascii_lowercase();
        Isa::ALL
            .into_iter()
            .find(|isa| isa.name() == wanted)
            .ok_or_else(|| KernelError::UnknownIsa { name: s.to_owned() })
    }
}
