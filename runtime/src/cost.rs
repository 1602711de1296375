//! A kernel's work per element as a node of its call graph. Called kernels
//! are inlined into the generated loop, where the compiler computes a callee
//! reached along several paths once; so the total counts every kernel of the
//! graph once, not once per path (sigmoid reaches its exponential's parts
//! along a dozen paths, and a sum per call counted them a dozen times).

/// One kernel's own work, in the IR's vector-instruction units, and the
/// kernels it calls on the common path (rare branches left out).
#[derive(Debug)]
pub struct Cost {
    id: &'static str,
    own: u32,
    calls: &'static [&'static Cost],
}

/// The most distinct kernels one call graph may hold.
pub const MAX_GRAPH: usize = 256;

impl Cost {
    /// `id` names the kernel uniquely (the generated code passes its module path).
    pub const fn new(id: &'static str, own: u32, calls: &'static [&'static Cost]) -> Cost {
        Cost { id, own, calls }
    }

    /// This kernel's own work.
    pub const fn own(&self) -> u32 {
        self.own
    }

    /// The work of every kernel in the call graph, each counted once.
    pub const fn total(&self) -> u32 {
        let mut seen: [&str; MAX_GRAPH] = [""; MAX_GRAPH];
        let mut seen_len = 0;
        let mut stack: [&Cost; MAX_GRAPH] = [self; MAX_GRAPH];
        let mut depth = 1;
        let mut sum = 0;
        while depth > 0 {
            depth -= 1;
            let node = stack[depth];
            if contains(&seen, seen_len, node.id) {
                continue;
            }
            assert!(
                seen_len < MAX_GRAPH,
                "a kernel's call graph holds more than 256 kernels"
            );
            seen[seen_len] = node.id;
            seen_len += 1;
            sum += node.own;
            let mut i = 0;
            while i < node.calls.len() {
                assert!(depth < MAX_GRAPH, "a kernel's call graph holds more than 256 kernels");
                stack[depth] = node.calls[i];
                depth += 1;
                i += 1;
            }
        }
        sum
    }
}

const fn contains(seen: &[&str], len: usize, id: &str) -> bool {
    let mut i = 0;
    while i < len {
        if same(seen[i], id) {
            return true;
        }
        i += 1;
    }
    false
}

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEAF: Cost = Cost::new("leaf", 5, &[]);
    const LEFT: Cost = Cost::new("left", 2, &[&LEAF]);
    const RIGHT: Cost = Cost::new("right", 3, &[&LEAF]);
    const ROOT: Cost = Cost::new("root", 1, &[&LEFT, &RIGHT, &LEAF]);

    #[test]
    fn a_callee_reached_along_several_paths_counts_once() {
        assert_eq!(LEAF.total(), 5);
        assert_eq!(LEFT.total(), 7);
        assert_eq!(ROOT.total(), 1 + 2 + 3 + 5);
        const TOTAL: u32 = ROOT.total();
        assert_eq!(TOTAL, 11);
    }
}
