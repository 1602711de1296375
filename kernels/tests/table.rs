//! `table(i, [..])` on every variant: small tables (one permute), tables of up
//! to 32 entries (two-register permute, AVX2 gather) and larger ones (gather on
//! AVX-512), against the plain array.

use simdwise_macros::kernel;

#[kernel]
fn lookup_5(i: f32) -> f32 {
    table(i, [10.0, 11.0, 12.0, 13.0, 14.0])
}

#[kernel]
fn lookup_12(i: f32) -> f32 {
    table(i, [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0])
}

#[kernel]
fn lookup_20(i: f32) -> f32 {
    table(
        i,
        [
            0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0,
            19.0,
        ],
    )
}

#[kernel]
fn lookup_40(i: f32) -> f32 {
    table(
        i,
        [
            0.0, -1.0, 2.0, -3.0, 4.0, -5.0, 6.0, -7.0, 8.0, -9.0, 10.0, -11.0, 12.0, -13.0, 14.0, -15.0, 16.0, -17.0,
            18.0, -19.0, 20.0, -21.0, 22.0, -23.0, 24.0, -25.0, 26.0, -27.0, 28.0, -29.0, 30.0, -31.0, 32.0, -33.0,
            34.0, -35.0, 36.0, -37.0, 38.0, -39.0,
        ],
    )
}

fn check(kernel: &simdwise::Kernel, entries: usize, expected: impl Fn(usize) -> f32) {
    // Every index, with fractions (truncated), in an order that mixes lanes.
    let i: Vec<f32> = (0..1000)
        .map(|k| ((k * 7) % entries) as f32 + (k % 4) as f32 * 0.25)
        .collect();
    for isa in kernel.runnable_isas() {
        let mut out = vec![f32::NAN; i.len()];
        simdwise::runtime::run_with_isa(kernel, isa, &[&i], &[], &mut out).unwrap();
        for (x, y) in i.iter().zip(&out) {
            assert_eq!(*y, expected(*x as usize), "{} [{isa}] at index {x}", kernel.name());
        }
    }
}

#[test]
fn small_and_large_tables_match_the_array_on_every_variant() {
    check(&lookup_5::KERNEL, 5, |k| 10.0 + k as f32);
    // Two and four permutes merged by blends on AVX2, padded with the last entry.
    check(&lookup_12::KERNEL, 12, |k| k as f32);
    check(&lookup_20::KERNEL, 20, |k| k as f32);
    check(
        &lookup_40::KERNEL,
        40,
        |k| if k % 2 == 0 { k as f32 } else { -(k as f32) },
    );
}

#[test]
fn out_of_range_indices_read_inside_the_table() {
    let i = [-1.0, 40.0, 1e9, f32::NAN, f32::INFINITY, -f32::INFINITY];
    for isa in lookup_40::KERNEL.runnable_isas() {
        let mut out = [f32::NAN; 6];
        simdwise::runtime::run_with_isa(&lookup_40::KERNEL, isa, &[&i], &[], &mut out).unwrap();
        assert!(
            out.iter().all(|v| v.abs() <= 39.0 && v.fract() == 0.0),
            "[{isa}] {out:?}"
        );
    }
}
