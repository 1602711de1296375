//! Machine constants behind the runtime's choices (inline or parallel, cached
//! or streaming stores, AVX2 or AVX-512 at a size), read once per process:
//!
//! 1. the file named by `KERNELS_CALIBRATION`, if set;
//! 2. else this CPU model's file in the user cache
//!    (`$XDG_CACHE_HOME` or `~/.cache`, then `simdwise-runtime/<cpu model>.txt`),
//!    which `cargo run --release -p simdwise-benches --bin calibrate` measures
//!    and writes on the machine at hand;
//! 3. else [`Calibration::derived`]: the defaults below, with the streaming
//!    threshold taken from this machine's last-level cache and no AVX2
//!    preference (which differs between Intel and AMD and needs measuring).
//!
//! The file is `key = value` lines, as [`Calibration::to_text`] writes them.

use std::path::PathBuf;
use std::sync::OnceLock;

/// The constants, measured as each comment says by `calibrate`.
#[derive(Clone, Debug, PartialEq)]
pub struct Calibration {
    /// Inline time per byte of input and output moved, in ns (data in L2): relu and add.
    pub ns_per_byte: f64,
    /// Inline time per unit of a kernel's IR cost, per element, in ns (best
    /// ISA): median over the transcendental kernels.
    pub ns_per_cost: f64,
    /// Estimated inline time above which splitting across threads pays, in
    /// ns: the crossover measured for relu, tanh and gelu.
    pub parallel_min_ns: f64,
    /// Output size above which non-temporal stores beat cached stores, in bytes.
    pub stream_min_bytes: usize,
    /// How long a helper thread stays awake after a parallel call, in ns:
    /// five times the measured cost of waking a sleeping one.
    pub helper_spin_ns: u64,
    /// Size classes (kernel, first and last length) where the AVX2 variant beat
    /// AVX-512 by 10% or more; dispatched calls there take AVX2.
    pub avx2_wins: Vec<(String, usize, usize)>,
}

/// The environment variable naming a calibration file to use instead of the
/// per-CPU one.
pub const CALIBRATION_ENV: &str = "KERNELS_CALIBRATION";

impl Calibration {
    /// Measured on an Intel Xeon (2 threads, 2 MiB L2, AVX-512) and on an AMD
    /// EPYC (Zen 3, 2 threads, 512 KiB L2, AVX2), which agreed within a factor
    /// of two on every constant; the streaming threshold is the Xeon's.
    pub const DEFAULT: Calibration = Calibration {
        ns_per_byte: 0.0147,
        ns_per_cost: 0.007,
        parallel_min_ns: 2750.0,
        stream_min_bytes: 16 << 20,
        helper_spin_ns: 68_000,
        avx2_wins: Vec::new(),
    };

    /// For a machine nobody calibrated: [`Calibration::DEFAULT`], streaming
    /// from half the last-level cache on (where cached stores start to miss).
    pub fn derived() -> Calibration {
        Calibration {
            stream_min_bytes: crate::cache::llc_bytes().map_or(Self::DEFAULT.stream_min_bytes, |llc| llc / 2),
            ..Self::DEFAULT
        }
    }

    /// The `key = value` text `parse` reads back.
    pub fn to_text(&self) -> String {
        let mut text = format!(
            "ns_per_byte = {}\nns_per_cost = {}\nparallel_min_ns = {}\nstream_min_bytes = {}\nhelper_spin_ns = {}\n",
            self.ns_per_byte, self.ns_per_cost, self.parallel_min_ns, self.stream_min_bytes, self.helper_spin_ns
        );
        for (kernel, lo, hi) in &self.avx2_wins {
            text.push_str(&format!("avx2_wins = {kernel} {lo} {hi}\n"));
        }
        text
    }

    /// Reads `to_text`'s format; keys not given keep their default, `#`
    /// starts a comment. The error names the line that is wrong.
    pub fn parse(text: &str) -> Result<Calibration, String> {
        let mut c = Self::DEFAULT;
        for (number, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let bad = || format!("line {}: `{line}` is not `key = value` with a valid value", number + 1);
            let (key, value) = line.split_once('=').ok_or_else(bad)?;
            let value = value.trim();
            match key.trim() {
                "ns_per_byte" => c.ns_per_byte = value.parse().map_err(|_| bad())?,
                "ns_per_cost" => c.ns_per_cost = value.parse().map_err(|_| bad())?,
                "parallel_min_ns" => c.parallel_min_ns = value.parse().map_err(|_| bad())?,
                "stream_min_bytes" => c.stream_min_bytes = value.parse().map_err(|_| bad())?,
                "helper_spin_ns" => c.helper_spin_ns = value.parse().map_err(|_| bad())?,
                "avx2_wins" => {
                    let parts: Vec<&str> = value.split_whitespace().collect();
                    let [kernel, lo, hi] = parts[..] else { return Err(bad()) };
                    c.avx2_wins.push((
                        kernel.to_owned(),
                        lo.parse().map_err(|_| bad())?,
                        hi.parse().map_err(|_| bad())?,
                    ));
                }
                other => return Err(format!("line {}: unknown key `{other}`", number + 1)),
            }
        }
        Ok(c)
    }
}

/// Where `calibrate` writes and the runtime reads this machine's constants:
/// `KERNELS_CALIBRATION`, or the per-CPU-model file in the user cache.
pub fn calibration_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(CALIBRATION_ENV).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))?;
    let model: String = cpu_model()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    Some(cache.join("simdwise-runtime").join(format!("{model}.txt")))
}

/// Where this process's constants came from, for reports.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// A calibration file, measured on a machine with this CPU model.
    File(PathBuf),
    /// No file: [`Calibration::derived`].
    Derived,
    /// A file exists but could not be read; the derived constants are used.
    Unreadable(PathBuf, String),
}

/// The constants in use, loaded on first use (see the module docs).
pub fn current() -> &'static (Calibration, Source) {
    static CURRENT: OnceLock<(Calibration, Source)> = OnceLock::new();
    CURRENT.get_or_init(|| {
        let Some(path) = calibration_path() else {
            return (Calibration::derived(), Source::Derived);
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => match Calibration::parse(&text) {
                Ok(c) => (c, Source::File(path)),
                Err(e) => (Calibration::derived(), Source::Unreadable(path, e)),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Calibration::derived(), Source::Derived),
            Err(e) => (Calibration::derived(), Source::Unreadable(path, e.to_string())),
        }
    })
}

/// The CPU's model name (Linux `/proc/cpuinfo`), or the architecture.
pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_owned())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips() {
        let mut c = Calibration::derived();
        c.avx2_wins.push(("sqrt".into(), 10_001, usize::MAX));
        assert_eq!(Calibration::parse(&c.to_text()), Ok(c));
    }

    #[test]
    fn bad_lines_are_named() {
        let err = Calibration::parse("ns_per_byte = 0.1\nparallel_min_ns = fast\n").unwrap_err();
        assert!(err.starts_with("line 2:"), "{err}");
        let err = Calibration::parse("warp_speed = 9").unwrap_err();
        assert!(err.contains("unknown key `warp_speed`"), "{err}");
    }

    #[test]
    fn derived_streams_above_the_l2() {
        assert!(Calibration::derived().stream_min_bytes >= crate::l2_bytes());
    }
}
