//! Half-precision buffers in shaders: f16 and bf16 values two to a 32-bit
//! word, widened exactly and narrowed to nearest-even by integer operations
//! (WGSL leaves `pack2x16float`'s rounding and overflow open, and the
//! shader-f16 feature is optional), so every adapter gives the same bits.
//! A shader that touches a half buffer runs one invocation per pair of
//! elements, so that no two invocations write one word.

use std::fmt::Write;

use crate::Format;

/// The conversions, by integer operations only.
const CONVERSIONS: &str = "
fn widen_bf16(h: u32) -> f32 {
    return bitcast<f32>(h << 16u);
}

fn narrow_bf16(x: f32) -> u32 {
    let b = bitcast<u32>(x);
    if (b & 0x7fffffffu) > 0x7f800000u {
        return (b >> 16u) | 0x40u;
    }
    return (b + 0x7fffu + ((b >> 16u) & 1u)) >> 16u;
}

fn widen_f16(h: u32) -> f32 {
    let sign = (h & 0x8000u) << 16u;
    let e = (h >> 10u) & 0x1fu;
    let m = h & 0x3ffu;
    if e == 0x1fu {
        return bitcast<f32>(sign | 0x7f800000u | (m << 13u));
    }
    if e != 0u {
        return bitcast<f32>(sign | ((e + 112u) << 23u) | (m << 13u));
    }
    if m == 0u {
        return bitcast<f32>(sign);
    }
    // A subnormal, m * 2^-24: normal in f32.
    let lead = firstLeadingBit(m);
    return bitcast<f32>(sign | ((lead + 103u) << 23u) | ((m << (23u - lead)) & 0x7fffffu));
}

fn narrow_f16(x: f32) -> u32 {
    let b = bitcast<u32>(x);
    let sign = (b >> 16u) & 0x8000u;
    let a = b & 0x7fffffffu;
    if a > 0x7f800000u {
        return sign | 0x7e00u | ((a >> 13u) & 0x3ffu);
    }
    if a >= 0x477ff000u {
        return sign | 0x7c00u;
    }
    if a >= 0x38800000u {
        return sign | ((a + 0xfffu + ((a >> 13u) & 1u) - 0x38000000u) >> 13u);
    }
    if a <= 0x33000000u {
        return sign;
    }
    // A subnormal result: |x| in units of 2^-24, rounded to nearest-even.
    let shift = 126u - (a >> 23u);
    let m = (a & 0x7fffffu) | 0x800000u;
    let q = m >> shift;
    let rest = m & ((1u << shift) - 1u);
    let half = 1u << (shift - 1u);
    return sign | (q + select(0u, 1u, rest > half || (rest == half && (q & 1u) == 1u)));
}
";

/// The WGSL storage element of a buffer of `format`.
fn storage(format: Format) -> &'static str {
    match format {
        Format::F32 => "f32",
        Format::F16 | Format::Bf16 => "u32",
    }
}

/// The buffer bindings, `load{k}(i)` for each input, and the conversions
/// when a buffer holds a half format.
pub(super) fn bindings(inputs: &[Format], out: Format, source: &mut String) {
    for (k, format) in inputs.iter().enumerate() {
        let _ = writeln!(
            source,
            "@group(0) @binding({}) var<storage, read> in{k}: array<{}>;",
            k + 1,
            storage(*format)
        );
    }
    let _ = writeln!(
        source,
        "@group(0) @binding({}) var<storage, read_write> out: array<{}>;",
        inputs.len() + 1,
        storage(out)
    );
    for (k, format) in inputs.iter().enumerate() {
        let value = match format {
            Format::F32 => format!("in{k}[i]"),
            Format::F16 => format!("widen_f16((in{k}[i >> 1u] >> ((i & 1u) * 16u)) & 0xffffu)"),
            Format::Bf16 => format!("widen_bf16((in{k}[i >> 1u] >> ((i & 1u) * 16u)) & 0xffffu)"),
        };
        let _ = writeln!(source, "fn load{k}(i: u32) -> f32 {{\n    return {value};\n}}");
    }
    if pairs(inputs, out) {
        source.push_str(CONVERSIONS);
    }
}

/// Whether the shader runs one invocation per pair of elements.
pub(super) fn pairs(inputs: &[Format], out: Format) -> bool {
    inputs.iter().chain([&out]).any(|&f| f != Format::F32)
}

/// The entry point: `value(i)` at every element below `params.len`.
pub(super) fn entry(inputs: &[Format], out: Format, workgroup: u32, source: &mut String) {
    let store = if !pairs(inputs, out) {
        "    let i = n;\n    if i >= params.len || i >= arrayLength(&out) {\n        return;\n    }\n    out[i] = value(i);\n"
            .to_owned()
    } else {
        let last = "i + 1u < params.len";
        let narrow = match out {
            Format::F32 => None,
            Format::F16 => Some("narrow_f16"),
            Format::Bf16 => Some("narrow_bf16"),
        };
        let write = match narrow {
            None => format!("    out[i] = value(i);\n    if {last} {{\n        out[i + 1u] = value(i + 1u);\n    }}\n"),
            Some(narrow) => format!(
                "    let high = select(0u, {narrow}(value(min(i + 1u, params.len - 1u))), {last});\n    \
                 out[n] = {narrow}(value(i)) | (high << 16u);\n"
            ),
        };
        format!("    let i = 2u * n;\n    if i >= params.len {{\n        return;\n    }}\n{write}")
    };
    let _ = write!(
        source,
        "\n@compute @workgroup_size({workgroup})\n\
         fn main(@builtin(global_invocation_id) id: vec3<u32>) {{\n    \
         let n = id.x + id.y * params.row;\n{store}}}\n"
    );
}
