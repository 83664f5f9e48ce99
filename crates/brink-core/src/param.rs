//! Parameters: every number in a scenario is a fixed value or a distribution sampled once per run.
//!
//! A [`Param`] carries its specification and, after [`crate::scenario::Scenario::resolve`], the
//! slot where its sampled value lives in a run's [`Sample`]. Models read values with
//! [`Param::get`], so one scenario value type serves both the file and the hot loop.

use rand::Rng;
use rand_distr::{Beta, Distribution, LogNormal, Normal, StandardNormal, Triangular};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;

/// A probability distribution over one parameter. The tag `dist` names the family.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "dist", rename_all = "lowercase", deny_unknown_fields)]
pub enum Dist {
    /// Uniform on [min, max].
    Uniform { min: f64, max: f64 },
    /// Triangular on [min, max] with the given mode.
    Triangular { min: f64, mode: f64, max: f64 },
    /// Beta-PERT on [min, max] with the given mode (shape 4), the usual three-point estimate.
    Pert { min: f64, mode: f64, max: f64 },
    /// Normal with mean and standard deviation, optionally truncated to [min, max].
    Normal {
        mean: f64,
        sd: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<f64>,
    },
    /// Log-normal given by its median and the standard deviation of the logarithm.
    Lognormal { median: f64, sigma: f64 },
    /// Beta(alpha, beta) scaled to [min, max] (default [0, 1]).
    Beta {
        alpha: f64,
        beta: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<f64>,
    },
}

/// The largest magnitude a number written in a scenario may have. Far above any real quantity
/// brink models (people, km2, items, per week: the world holds 8e9 people, 5e8 km2), and far
/// enough below f64's range that sums and products over a run stay finite: a value like 1e308
/// would silently turn the run into infinities.
pub const MAX_MAGNITUDE: f64 = 1e12;

const MAGNITUDE_HINT: &str =
    "check the units: brink's quantities (people, km2, items, per week) stay far below 1e12";

/// The largest `sigma` of a lognormal: beyond it, draws span more than ~20 orders of magnitude.
pub const MAX_LOGNORMAL_SIGMA: f64 = 5.0;

/// What values a parameter may take; checked against a distribution's whole support.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Domain {
    pub min: f64,
    pub max: f64,
    /// Human description used in error messages, e.g. "a probability in [0, 1]".
    pub describe: &'static str,
}

impl Domain {
    pub const NON_NEGATIVE: Domain = Domain {
        min: 0.0,
        max: f64::INFINITY,
        describe: "a number >= 0",
    };
    pub const PROBABILITY: Domain = Domain {
        min: 0.0,
        max: 1.0,
        describe: "a probability in [0, 1]",
    };
    pub const AT_LEAST_ONE: Domain = Domain {
        min: 1.0,
        max: f64::INFINITY,
        describe: "a number >= 1",
    };
    pub const ANY: Domain = Domain {
        min: f64::NEG_INFINITY,
        max: f64::INFINITY,
        describe: "any finite number",
    };
    pub const EXPONENT: Domain = Domain {
        min: 0.0,
        max: 3.0,
        describe: "an exponent in [0, 3]",
    };
}

/// A fixed number or a distribution.
#[derive(Clone, Debug, PartialEq)]
pub enum ParamSpec {
    Fixed(f64),
    Dist(Dist),
}

/// A scenario parameter: its specification plus the slot of its value in a run's [`Sample`].
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub spec: ParamSpec,
    slot: u32,
}

/// The sampled values of one run, indexed by parameter slot.
pub type Sample = [f64];

impl Param {
    pub fn fixed(value: f64) -> Param {
        Param {
            spec: ParamSpec::Fixed(value),
            slot: u32::MAX,
        }
    }

    /// The value of this parameter in a run. Panics only if the scenario was not resolved,
    /// which `Scenario::resolve` guarantees for every scenario the engine sees.
    #[inline]
    pub fn get(&self, sample: &Sample) -> f64 {
        sample[self.slot as usize]
    }

    pub(crate) fn set_slot(&mut self, slot: usize) {
        self.slot = u32::try_from(slot).expect("fewer than 2^32 parameters");
    }

    pub fn is_random(&self) -> bool {
        matches!(self.spec, ParamSpec::Dist(_))
    }

    /// Problems with this parameter's specification relative to its domain (empty when valid).
    pub fn problems(&self, domain: Domain) -> Vec<(String, String)> {
        match &self.spec {
            ParamSpec::Fixed(v) => {
                if !v.is_finite() {
                    vec![(
                        format!("{v} is not a finite number"),
                        format!("write {}", domain.describe),
                    )]
                } else if v.abs() > MAX_MAGNITUDE {
                    vec![(
                        format!("{v:e} is larger in magnitude than {MAX_MAGNITUDE:e}"),
                        MAGNITUDE_HINT.to_string(),
                    )]
                } else if *v < domain.min || *v > domain.max {
                    vec![(
                        format!("{v} is outside the allowed range"),
                        format!("this field takes {}", domain.describe),
                    )]
                } else {
                    vec![]
                }
            }
            ParamSpec::Dist(d) => d.problems(domain),
        }
    }
}

/// A parameter's draw prepared once per study: the PERT shapes and the constants of their
/// Gamma draws are computed at load, not at every draw (the same operations, so the same
/// values bit for bit).
#[derive(Clone, Debug)]
pub enum Sampler {
    Fixed(f64),
    Pert {
        min: f64,
        range: f64,
        alpha: GammaShape,
        beta: GammaShape,
    },
    Other(Dist),
}

impl Sampler {
    pub fn of(p: &Param) -> Sampler {
        match &p.spec {
            ParamSpec::Fixed(v) => Sampler::Fixed(*v),
            ParamSpec::Dist(Dist::Pert { min, mode, max }) => {
                let (alpha, beta, range) = pert_shapes(*min, *mode, *max);
                Sampler::Pert {
                    min: *min,
                    range,
                    alpha: GammaShape::new(alpha),
                    beta: GammaShape::new(beta),
                }
            }
            ParamSpec::Dist(d) => Sampler::Other(d.clone()),
        }
    }

    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Sampler::Fixed(v) => *v,
            Sampler::Pert {
                min,
                range,
                alpha,
                beta,
            } => min + range * beta_of_gamma_shapes(*alpha, *beta, rng),
            Sampler::Other(d) => d.sample(rng),
        }
    }
}

/// Beta-PERT with shape 4 (Malcolm et al. 1959; Vose 2008, *Risk Analysis*, 3rd ed., sec.
/// 9.1): `min + (max - min) * Beta(alpha, beta)`; returns `(alpha, beta, max - min)`.
fn pert_shapes(min: f64, mode: f64, max: f64) -> (f64, f64, f64) {
    let range = max - min;
    let alpha = 1.0 + 4.0 * (mode - min) / range;
    let beta = 1.0 + 4.0 * (max - mode) / range;
    (alpha, beta, range)
}

/// A Beta(alpha, beta) draw for shapes of at least 1 (every PERT), as X / (X + Y) with X and Y
/// Gamma draws. Sampling parameters is a tenth of a run's cost, and this takes about half the
/// instructions of a general Beta sampler: the Gamma draws rarely need a logarithm.
fn beta_of_gamma_shapes<R: Rng + ?Sized>(alpha: GammaShape, beta: GammaShape, rng: &mut R) -> f64 {
    let x = gamma_of_shape_at_least_one(alpha, rng);
    let y = gamma_of_shape_at_least_one(beta, rng);
    x / (x + y)
}

/// The constants of Marsaglia & Tsang's Gamma(shape, 1) sampler for one shape >= 1.
#[derive(Clone, Copy, Debug)]
pub struct GammaShape {
    d: f64,
    c: f64,
}

impl GammaShape {
    fn new(shape: f64) -> GammaShape {
        debug_assert!(shape >= 1.0);
        let d = shape - 1.0 / 3.0;
        GammaShape {
            d,
            c: 1.0 / (9.0 * d).sqrt(),
        }
    }
}

/// A Gamma(shape, 1) draw for shape >= 1 by Marsaglia & Tsang's method (ACM Trans. Math.
/// Software 26(3), 2000, 363-372): a transformed normal accepted by a cheap squeeze test, with
/// the exact logarithmic test only for the ~2% the squeeze leaves undecided.
fn gamma_of_shape_at_least_one<R: Rng + ?Sized>(g: GammaShape, rng: &mut R) -> f64 {
    let GammaShape { d, c } = g;
    loop {
        let z: f64 = StandardNormal.sample(rng);
        let v = 1.0 + c * z;
        if v <= 0.0 {
            continue;
        }
        let v = v * v * v;
        // 1 - u lies in (0, 1], so its logarithm is finite.
        let u = 1.0 - rng.random::<f64>();
        let z2 = z * z;
        if u < 1.0 - 0.0331 * z2 * z2 || u.ln() < 0.5 * z2 + d * (1.0 - v + v.ln()) {
            return d * v;
        }
    }
}

impl Dist {
    fn numbers(&self) -> Vec<(&'static str, f64)> {
        let mut v = Vec::new();
        match *self {
            Dist::Uniform { min, max } => v.extend([("min", min), ("max", max)]),
            Dist::Triangular { min, mode, max } | Dist::Pert { min, mode, max } => {
                v.extend([("min", min), ("mode", mode), ("max", max)])
            }
            Dist::Normal { mean, sd, min, max } => {
                v.extend([("mean", mean), ("sd", sd)]);
                v.extend(min.map(|m| ("min", m)));
                v.extend(max.map(|m| ("max", m)));
            }
            Dist::Lognormal { median, sigma } => v.extend([("median", median), ("sigma", sigma)]),
            Dist::Beta {
                alpha,
                beta,
                min,
                max,
            } => {
                v.extend([("alpha", alpha), ("beta", beta)]);
                v.extend(min.map(|m| ("min", m)));
                v.extend(max.map(|m| ("max", m)));
            }
        }
        v
    }

    /// The closed interval that contains every value the distribution can produce.
    pub fn support(&self) -> (f64, f64) {
        match *self {
            Dist::Uniform { min, max }
            | Dist::Triangular { min, max, .. }
            | Dist::Pert { min, max, .. } => (min, max),
            Dist::Normal { min, max, .. } => (
                min.unwrap_or(f64::NEG_INFINITY),
                max.unwrap_or(f64::INFINITY),
            ),
            Dist::Lognormal { .. } => (0.0, f64::INFINITY),
            Dist::Beta { min, max, .. } => (min.unwrap_or(0.0), max.unwrap_or(1.0)),
        }
    }

    /// Validity of the distribution itself and of its support against the domain.
    pub fn problems(&self, domain: Domain) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (name, value) in self.numbers() {
            if !value.is_finite() {
                out.push((
                    format!("`{name}` is {value}, not a finite number"),
                    "write a finite number".to_string(),
                ));
            } else if value.abs() > MAX_MAGNITUDE {
                out.push((
                    format!("`{name}` is {value:e}, larger in magnitude than {MAX_MAGNITUDE:e}"),
                    MAGNITUDE_HINT.to_string(),
                ));
            }
        }
        if !out.is_empty() {
            return out;
        }
        let (lo, hi) = self.support();
        if lo > hi {
            out.push((
                format!("min ({lo}) is greater than max ({hi})"),
                "swap min and max".to_string(),
            ));
            return out;
        }
        match *self {
            Dist::Triangular { min, mode, max } | Dist::Pert { min, mode, max } => {
                if mode < min || mode > max {
                    out.push((
                        format!("mode ({mode}) lies outside [min, max] = [{min}, {max}]"),
                        "put the mode between min and max".to_string(),
                    ));
                }
                if min == max {
                    out.push((
                        "min equals max: the distribution is a single value".to_string(),
                        format!("write the number {min} instead of a distribution"),
                    ));
                }
            }
            Dist::Uniform { min, max } if min == max => out.push((
                "min equals max: the distribution is a single value".to_string(),
                format!("write the number {min} instead of a distribution"),
            )),
            Dist::Normal { mean, sd, min, max } => {
                if sd <= 0.0 {
                    out.push((
                        format!("sd is {sd}; it must be > 0"),
                        "give a positive standard deviation".to_string(),
                    ));
                } else {
                    let mass = normal_cdf((hi - mean) / sd) - normal_cdf((lo - mean) / sd);
                    if (min.is_some() || max.is_some()) && mass < 1e-6 {
                        out.push((
                            format!(
                                "the truncation interval [{lo}, {hi}] holds almost none ({mass:.1e}) of the normal's mass"
                            ),
                            "move min/max closer to the mean or change the mean".to_string(),
                        ));
                    }
                }
            }
            Dist::Lognormal { median, sigma } if (median <= 0.0 || sigma <= 0.0) => {
                out.push((
                    format!("median ({median}) and sigma ({sigma}) must both be > 0"),
                    "give a positive median and a positive sigma of the logarithm".to_string(),
                ));
            }
            Dist::Lognormal { sigma, .. } if sigma > MAX_LOGNORMAL_SIGMA => {
                out.push((
                    format!("sigma ({sigma}) is above {MAX_LOGNORMAL_SIGMA}"),
                    "sigma is the standard deviation of the logarithm; 0.1-1 is typical"
                        .to_string(),
                ));
            }
            Dist::Beta { alpha, beta, .. } if (alpha <= 0.0 || beta <= 0.0) => {
                out.push((
                    format!("alpha ({alpha}) and beta ({beta}) must both be > 0"),
                    "give positive shape parameters".to_string(),
                ));
            }
            _ => {}
        }
        if lo < domain.min || hi > domain.max {
            let unbounded = !lo.is_finite() || !hi.is_finite();
            out.push((
                format!(
                    "the distribution can produce values in [{lo}, {hi}], outside the allowed range"
                ),
                if unbounded {
                    format!(
                        "this field takes {}; truncate the distribution with `min`/`max` or use a bounded family (pert, uniform, beta)",
                        domain.describe
                    )
                } else {
                    format!("this field takes {}", domain.describe)
                },
            ));
        }
        out
    }

    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // Every constructor below is valid because `problems` was empty at load time.
        match *self {
            Dist::Uniform { min, max } => min + (max - min) * rng.random::<f64>(),
            Dist::Triangular { min, mode, max } => Triangular::new(min, max, mode)
                .expect("validated triangular")
                .sample(rng),
            Dist::Pert { min, mode, max } => {
                let (alpha, beta, range) = pert_shapes(min, mode, max);
                min + range
                    * beta_of_gamma_shapes(GammaShape::new(alpha), GammaShape::new(beta), rng)
            }
            Dist::Normal { mean, sd, min, max } => {
                let normal = Normal::new(mean, sd).expect("validated normal");
                let lo = min.unwrap_or(f64::NEG_INFINITY);
                let hi = max.unwrap_or(f64::INFINITY);
                if min.is_none() && max.is_none() {
                    return normal.sample(rng);
                }
                let (c_lo, c_hi) = (normal_cdf((lo - mean) / sd), normal_cdf((hi - mean) / sd));
                if c_hi - c_lo > 0.25 {
                    // Rejection: at most 4 tries on average.
                    loop {
                        let x = normal.sample(rng);
                        if x >= lo && x <= hi {
                            return x;
                        }
                    }
                }
                // Inverse-CDF for narrow truncations.
                let u = c_lo + (c_hi - c_lo) * rng.random::<f64>();
                (mean + sd * normal_quantile(u)).clamp(lo, hi)
            }
            Dist::Lognormal { median, sigma } => LogNormal::new(median.ln(), sigma)
                .expect("validated lognormal")
                .sample(rng),
            Dist::Beta {
                alpha,
                beta,
                min,
                max,
            } => {
                let (lo, hi) = (min.unwrap_or(0.0), max.unwrap_or(1.0));
                lo + (hi - lo) * Beta::new(alpha, beta).expect("validated beta").sample(rng)
            }
        }
    }

    /// Mean and variance (used by tests and documentation).
    pub fn mean_variance(&self) -> Option<(f64, f64)> {
        Some(match *self {
            Dist::Uniform { min, max } => ((min + max) / 2.0, (max - min).powi(2) / 12.0),
            Dist::Triangular { min, mode, max } => (
                (min + mode + max) / 3.0,
                (min * min + mode * mode + max * max - min * mode - min * max - mode * max) / 18.0,
            ),
            Dist::Pert { min, mode, max } => {
                let mean = (min + 4.0 * mode + max) / 6.0;
                let a = 1.0 + 4.0 * (mode - min) / (max - min);
                let b = 1.0 + 4.0 * (max - mode) / (max - min);
                let var = a * b / ((a + b).powi(2) * (a + b + 1.0)) * (max - min).powi(2);
                (mean, var)
            }
            Dist::Normal {
                mean,
                sd,
                min: None,
                max: None,
            } => (mean, sd * sd),
            Dist::Normal { .. } => return None,
            Dist::Lognormal { median, sigma } => {
                let s2 = sigma * sigma;
                let mean = median * (s2 / 2.0).exp();
                (mean, (s2.exp() - 1.0) * median * median * s2.exp())
            }
            Dist::Beta {
                alpha,
                beta,
                min,
                max,
            } => {
                let (lo, hi) = (min.unwrap_or(0.0), max.unwrap_or(1.0));
                let m = alpha / (alpha + beta);
                let v = alpha * beta / ((alpha + beta).powi(2) * (alpha + beta + 1.0));
                (lo + (hi - lo) * m, v * (hi - lo).powi(2))
            }
        })
    }
}

/// Standard normal CDF via the complementary error function (W. J. Cody's rational
/// approximation as given in Numerical Recipes, 3rd ed., section 6.2.2: |error| < 1.2e-7).
pub fn normal_cdf(z: f64) -> f64 {
    if z == f64::INFINITY {
        return 1.0;
    }
    if z == f64::NEG_INFINITY {
        return 0.0;
    }
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

/// Standard normal quantile (P. J. Acklam's rational approximation, relative error < 1.2e-9).
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let p = p.clamp(1e-300, 1.0 - 1e-16);
    let low = 0.02425;
    if p < low {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - low {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    }
}

impl Serialize for Param {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.spec {
            ParamSpec::Fixed(v) => s.serialize_f64(*v),
            ParamSpec::Dist(d) => d.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Param {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Param;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "a number, or a distribution table such as { dist = \"pert\", min = 1, mode = 2, max = 4 }",
                )
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Param, E> {
                Ok(Param::fixed(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Param, E> {
                Ok(Param::fixed(v as f64))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Param, E> {
                Ok(Param::fixed(v as f64))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Param, A::Error> {
                let dist = Dist::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(Param {
                    spec: ParamSpec::Dist(dist),
                    slot: u32::MAX,
                })
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for Param {
    fn schema_name() -> Cow<'static, str> {
        "Param".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let dist = generator.subschema_for::<Dist>();
        json_schema!({
            "description": "A fixed number, or a distribution sampled once per run.",
            "anyOf": [ { "type": "number" }, dist ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    fn moments(d: &Dist, n: usize) -> (f64, f64) {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        let xs: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0);
        (mean, var)
    }

    #[test]
    fn every_distribution_matches_its_mean_and_variance() {
        let cases = [
            Dist::Uniform { min: 2.0, max: 5.0 },
            Dist::Triangular {
                min: 1.0,
                mode: 2.0,
                max: 6.0,
            },
            Dist::Pert {
                min: 100.0,
                mode: 150.0,
                max: 300.0,
            },
            // The extreme shapes: Beta(1, 5) and Beta(5, 1).
            Dist::Pert {
                min: 0.0,
                mode: 0.0,
                max: 1.0,
            },
            Dist::Pert {
                min: -3.0,
                mode: 2.0,
                max: 2.0,
            },
            Dist::Normal {
                mean: 10.0,
                sd: 2.0,
                min: None,
                max: None,
            },
            Dist::Lognormal {
                median: 3.0,
                sigma: 0.4,
            },
            Dist::Beta {
                alpha: 2.0,
                beta: 5.0,
                min: Some(0.2),
                max: Some(0.9),
            },
        ];
        let n = 200_000;
        for d in cases {
            let (m, v) = d.mean_variance().unwrap();
            let (sm, sv) = moments(&d, n);
            // Mean within 5 standard errors; variance within 3% (n = 2e5).
            assert!(
                (sm - m).abs() < 5.0 * (v / n as f64).sqrt(),
                "{d:?}: mean {sm} vs {m}"
            );
            assert!((sv - v).abs() / v < 0.03, "{d:?}: var {sv} vs {v}");
        }
    }

    #[test]
    fn truncated_normal_stays_inside_and_matches_known_mean() {
        // Truncated to [mean, inf): mean + sd * sqrt(2/pi).
        let d = Dist::Normal {
            mean: 0.0,
            sd: 1.0,
            min: Some(0.0),
            max: None,
        };
        let (m, _) = moments(&d, 200_000);
        assert!((m - (2.0 / std::f64::consts::PI).sqrt()).abs() < 0.01);
        // Narrow truncation far in the tail goes through the inverse CDF.
        let tail = Dist::Normal {
            mean: 0.0,
            sd: 1.0,
            min: Some(2.0),
            max: Some(2.5),
        };
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        for _ in 0..10_000 {
            let x = tail.sample(&mut rng);
            assert!((2.0..=2.5).contains(&x));
        }
    }

    #[test]
    fn normal_cdf_and_quantile_are_inverse_and_match_tables() {
        assert!((normal_cdf(1.96) - 0.975_002).abs() < 1e-6);
        assert!((normal_cdf(-1.0) - 0.158_655).abs() < 1e-6);
        for p in [0.001, 0.05, 0.5, 0.8, 0.999] {
            assert!((normal_cdf(normal_quantile(p)) - p).abs() < 1e-6);
        }
    }

    #[test]
    fn invalid_distributions_are_reported() {
        let bad = Dist::Uniform { min: 5.0, max: 1.0 };
        assert!(bad.problems(Domain::ANY)[0].0.contains("greater than max"));
        let unbounded = Dist::Normal {
            mean: 0.5,
            sd: 0.1,
            min: None,
            max: None,
        };
        assert!(
            unbounded.problems(Domain::PROBABILITY)[0]
                .1
                .contains("truncate")
        );
        let p = Param::fixed(1.5);
        assert!(!p.problems(Domain::PROBABILITY).is_empty());
        assert!(
            Param::fixed(f64::NAN).problems(Domain::ANY)[0]
                .0
                .contains("not a finite")
        );
    }
}
