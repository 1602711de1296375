// Safe code cannot make the runtime call an arbitrary function as a variant:
// the variant table and the descriptor are built only in `unsafe`.
use simdwise::runtime::{Args, Kernel, Variants, Wgsl};

unsafe fn reads_anything(args: &Args) {
    unsafe { *args.out = *args.inputs[2] };
}

fn main() {
    let table = Variants::new(reads_anything);
    let wgsl = Wgsl { function: "", prelude: "", entry: "", calls: &[] };
    let forged = Kernel::new("forged", &["x"], &[], 0.5, 1, table, wgsl);
    let mut out = [0.0f32];
    simdwise::runtime::run(&forged, &[&[1.0]], &[], &mut out).unwrap();
}
