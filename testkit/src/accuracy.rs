//! Every runnable variant of a kernel against an f64 reference.

use std::fmt;

use simdwise_runtime::{Isa, Kernel, MAX_INPUTS, run_with_isa};

use crate::inputs::{Rng, special_values, with_neighbours};
use crate::ulp_error;

/// The exact function: streaming inputs, then scalars, in f64.
type Reference<'a> = Box<dyn Fn(&[f64]) -> f64 + 'a>;
/// Which streaming inputs the kernel's bound is stated for.
type Domain<'a> = Box<dyn Fn(&[f32]) -> bool + 'a>;

/// An accuracy check of one kernel: configure, then [`Accuracy::run`].
///
/// ```no_run
/// # fn check(kernel: &simdwise_runtime::Kernel) {
/// // The reference gets the streaming inputs, then the scalars, in f64.
/// let report = simdwise_testkit::Accuracy::new(kernel, |a| a[0].tanh())
///     .range(-10.0, 10.0)
///     .run()
///     .unwrap_or_else(|e| panic!("{e}"));
/// println!("{report}");
/// # }
/// ```
pub struct Accuracy<'a> {
    kernel: &'a Kernel,
    reference: Reference<'a>,
    scalars: Vec<f32>,
    range: (f32, f32),
    samples: usize,
    points: Vec<f32>,
    domain: Option<Domain<'a>>,
}

/// The worst case of one variant.
#[derive(Clone, Debug)]
pub struct VariantReport {
    pub isa: Isa,
    pub max_ulp: f64,
    /// The streaming inputs where `max_ulp` occurred.
    pub worst_inputs: Vec<f32>,
    pub got: f32,
    pub want: f64,
}

/// What a passing check measured.
#[derive(Clone, Debug)]
pub struct Report {
    pub kernel: &'static str,
    pub declared: f32,
    pub inputs_checked: usize,
    pub variants: Vec<VariantReport>,
    /// Variants the kernel has but this CPU cannot run: not checked here.
    pub skipped: Vec<Isa>,
}

/// A variant over its kernel's declared bound.
#[derive(Clone, Debug)]
pub struct AccuracyError {
    pub kernel: &'static str,
    pub declared: f32,
    pub worst: VariantReport,
    /// Every variant's worst case, the failing ones included.
    pub variants: Vec<VariantReport>,
}

impl<'a> Accuracy<'a> {
    /// A check of `kernel` against `reference`, which takes the streaming
    /// inputs and then the scalar parameters, as f64, and returns the exact
    /// result (to far better than an f32 ulp).
    pub fn new(kernel: &'a Kernel, reference: impl Fn(&[f64]) -> f64 + 'a) -> Self {
        Accuracy {
            kernel,
            reference: Box::new(reference),
            scalars: vec![0.5; kernel.scalars().len()],
            range: (-10.0, 10.0),
            samples: 200_000,
            points: Vec::new(),
            domain: None,
        }
    }

    /// The scalar parameters (default 0.5 each).
    pub fn scalars(mut self, scalars: &[f32]) -> Self {
        self.scalars = scalars.to_vec();
        self
    }

    /// Where the dense random samples are drawn (default [-10, 10]).
    pub fn range(mut self, lo: f32, hi: f32) -> Self {
        self.range = (lo, hi);
        self
    }

    /// How many random samples per check (default 200,000; as many again of
    /// random bit patterns over the whole f32 line).
    pub fn samples(mut self, n: usize) -> Self {
        self.samples = n;
        self
    }

    /// Extra inputs to check, with their neighbouring floats: where the kernel
    /// switches formulas or saturates.
    pub fn points(mut self, points: &[f32]) -> Self {
        self.points.extend(with_neighbours(points));
        self
    }

    /// Checks only inputs (the streaming ones, in order) where `domain` holds:
    /// for a kernel whose bound is stated over part of the f32 line.
    pub fn domain(mut self, domain: impl Fn(&[f32]) -> bool + 'a) -> Self {
        self.domain = Some(Box::new(domain));
        self
    }

    /// The input streams: every special value (and extra point) in every
    /// stream, paired with the others; random samples in range; random bits.
    fn inputs(&self) -> Vec<Vec<f32>> {
        let arity = self.kernel.inputs().len().clamp(1, MAX_INPUTS);
        let mut specials = special_values();
        specials.extend(&self.points);
        let mut streams = vec![Vec::new(); arity];
        // All pairs for two inputs; for three, the third cycles through them too.
        for (i, &a) in specials.iter().enumerate() {
            for (j, &b) in specials.iter().enumerate().take(if arity > 1 { usize::MAX } else { 1 }) {
                streams[0].push(a);
                if arity > 1 {
                    streams[1].push(b);
                }
                if arity > 2 {
                    streams[2].push(specials[(i + j) % specials.len()]);
                }
            }
        }
        let mut rng = Rng::new(0x5eed ^ self.kernel.name().len() as u64);
        for _ in 0..self.samples {
            for stream in &mut streams {
                stream.push(rng.uniform(self.range.0, self.range.1));
            }
        }
        for _ in 0..self.samples {
            for stream in &mut streams {
                stream.push(rng.bits());
            }
        }
        if let Some(domain) = &self.domain {
            let keep: Vec<bool> = (0..streams[0].len())
                .map(|i| domain(&streams.iter().map(|s| s[i]).collect::<Vec<_>>()))
                .collect();
            for stream in &mut streams {
                let mut flags = keep.iter();
                stream.retain(|_| *flags.next().unwrap_or(&false));
            }
        }
        streams
    }

    /// Runs every variant this CPU has; `Err` names the worst input of the
    /// worst variant when any exceeds the kernel's declared `max_ulp`.
    ///
    /// # Panics
    /// If the scalars given do not match the kernel's scalar parameters.
    pub fn run(&self) -> Result<Report, AccuracyError> {
        let kernel = self.kernel;
        let streams = self.inputs();
        let n = streams[0].len();
        let slices: Vec<&[f32]> = streams.iter().map(Vec::as_slice).collect();
        let slices = &slices[..kernel.inputs().len()];
        let scalars: Vec<f64> = self.scalars.iter().map(|&s| f64::from(s)).collect();
        let want: Vec<f64> = (0..n)
            .map(|i| {
                let mut args: Vec<f64> = slices.iter().map(|s| f64::from(s[i])).collect();
                args.extend(&scalars);
                (self.reference)(&args)
            })
            .collect();
        let mut variants = Vec::new();
        let mut out = vec![0.0f32; n];
        for isa in kernel.runnable_isas() {
            // Only a call that does not match the kernel (a wrong number of
            // scalars) fails here: a mistake in the check, not in the kernel.
            run_with_isa(kernel, isa, slices, &self.scalars, &mut out).unwrap_or_else(|e| panic!("{e}"));
            let mut worst = VariantReport {
                isa,
                max_ulp: 0.0,
                worst_inputs: Vec::new(),
                got: f32::NAN,
                want: f64::NAN,
            };
            for i in 0..n {
                let err = ulp_error(out[i], want[i]);
                if err > worst.max_ulp {
                    worst = VariantReport {
                        isa,
                        max_ulp: err,
                        worst_inputs: slices.iter().map(|s| s[i]).collect(),
                        got: out[i],
                        want: want[i],
                    };
                }
            }
            variants.push(worst);
        }
        let declared = kernel.max_ulp();
        if let Some(worst) = variants
            .iter()
            .filter(|v| v.max_ulp > f64::from(declared))
            .max_by(|a, b| a.max_ulp.total_cmp(&b.max_ulp))
        {
            return Err(AccuracyError {
                kernel: kernel.name(),
                declared,
                worst: worst.clone(),
                variants,
            });
        }
        Ok(Report {
            kernel: kernel.name(),
            declared,
            inputs_checked: n,
            variants,
            skipped: kernel.isas().filter(|isa| !isa.is_available()).collect(),
        })
    }
}

impl fmt::Display for VariantReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:>7}: max {:.3} ulp", self.isa.name(), self.max_ulp)?;
        if !self.worst_inputs.is_empty() {
            write!(
                f,
                " at inputs {:?} (got {:e}, exact {:e})",
                self.worst_inputs, self.got, self.want
            )?;
        }
        Ok(())
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "kernel `{}`, declared {} ulp, {} inputs per variant:",
            self.kernel, self.declared, self.inputs_checked
        )?;
        for v in &self.variants {
            writeln!(f, "  {v}")?;
        }
        for isa in &self.skipped {
            writeln!(f, "  {:>7}: skipped, this CPU cannot run it", isa.name())?;
        }
        Ok(())
    }
}

impl fmt::Display for AccuracyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let w = &self.worst;
        write!(
            f,
            "kernel `{}`, variant {}: {:.3} ulp at inputs {:?} (got {:e}, exact {:e}) exceeds the declared max_ulp = {}",
            self.kernel,
            w.isa.name(),
            w.max_ulp,
            w.worst_inputs,
            w.got,
            w.want,
            self.declared
        )
    }
}

impl std::error::Error for AccuracyError {}
