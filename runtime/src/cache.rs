//! The per-core L2 size, which sets the chunk size for parallel work: a chunk's
//! inputs and output fit in the L2 of the core that runs it.

use std::sync::OnceLock;

/// Used when the OS does not say: smaller than any current x86 or Arm server L2.
pub const DEFAULT_L2_BYTES: usize = 1 << 20;

/// The L2 data cache of one core, in bytes (read once).
pub fn l2_bytes() -> usize {
    static L2: OnceLock<usize> = OnceLock::new();
    *L2.get_or_init(|| read_l2().unwrap_or(DEFAULT_L2_BYTES))
}

/// The last-level cache (shared by the cores), in bytes, if the OS says.
pub fn llc_bytes() -> Option<usize> {
    data_caches()
        .into_iter()
        .max_by_key(|&(level, _)| level)
        .map(|(_, size)| size)
}

fn read_l2() -> Option<usize> {
    data_caches()
        .into_iter()
        .find_map(|(level, size)| (level == 2).then_some(size))
}

/// (level, bytes) of cpu0's data and unified caches.
#[cfg(target_os = "linux")]
fn data_caches() -> Vec<(u32, usize)> {
    let dir = std::path::Path::new("/sys/devices/system/cpu/cpu0/cache");
    (0..8)
        .filter_map(|i| {
            let index = dir.join(format!("index{i}"));
            let level = std::fs::read_to_string(index.join("level")).ok()?;
            let kind = std::fs::read_to_string(index.join("type")).ok()?;
            if kind.trim() == "Instruction" {
                return None;
            }
            let size = parse_size(&std::fs::read_to_string(index.join("size")).ok()?)?;
            Some((level.trim().parse().ok()?, size))
        })
        .collect()
}

#[cfg(not(target_os = "linux"))]
fn data_caches() -> Vec<(u32, usize)> {
    Vec::new()
}

/// Parses sysfs sizes such as `2048K` or `1M`.
fn parse_size(text: &str) -> Option<usize> {
    let text = text.trim();
    let (digits, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => text.split_at(i),
        None => (text, ""),
    };
    let n: usize = digits.parse().ok()?;
    let scale = match unit {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        _ => return None,
    };
    Some(n * scale).filter(|&bytes| bytes > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sysfs_sizes() {
        assert_eq!(parse_size("2048K\n"), Some(2 << 20));
        assert_eq!(parse_size("1M"), Some(1 << 20));
        assert_eq!(parse_size("512"), Some(512));
        assert_eq!(parse_size("0K"), None);
        assert_eq!(parse_size("lots"), None);
    }

    #[test]
    fn l2_is_plausible() {
        let l2 = l2_bytes();
        assert!((64 << 10..=256 << 20).contains(&l2), "L2 of {l2} bytes");
    }
}
