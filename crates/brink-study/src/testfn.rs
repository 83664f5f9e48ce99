//! Standard test functions of sensitivity analysis, with their analytic indices.

use crate::Model;

/// Ishigami & Homma (1990): `f(x) = sin x1 + a sin^2 x2 + b x3^4 sin x1`, `x_i` uniform on
/// `[-pi, pi]`. With `a = 7`, `b = 0.1`: `S1 = (0.3139, 0.4424, 0)`,
/// `ST = (0.5576, 0.4424, 0.2437)`.
#[derive(Clone, Copy, Debug)]
pub struct Ishigami {
    pub a: f64,
    pub b: f64,
}

impl Default for Ishigami {
    fn default() -> Self {
        Ishigami { a: 7.0, b: 0.1 }
    }
}

impl Ishigami {
    /// Analytic first-order and total indices. Partial variances:
    /// `V1 = (1 + b pi^4 / 5)^2 / 2`, `V2 = a^2 / 8`, `V13 = b^2 pi^8 (1/18 - 1/50)`,
    /// `V = V1 + V2 + V13`.
    pub fn analytic(&self) -> ([f64; 3], [f64; 3]) {
        let pi4 = std::f64::consts::PI.powi(4);
        let v1 = 0.5 * (1.0 + self.b * pi4 / 5.0).powi(2);
        let v2 = self.a * self.a / 8.0;
        let v13 = self.b * self.b * pi4 * pi4 * (1.0 / 18.0 - 1.0 / 50.0);
        let v = v1 + v2 + v13;
        ([v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v])
    }
}

impl Model for Ishigami {
    fn dim(&self) -> usize {
        3
    }
    fn evaluate(&self, x: &[f64], _seed: u64) -> f64 {
        let s1 = x[0].sin();
        s1 + self.a * x[1].sin().powi(2) + self.b * x[2].powi(4) * s1
    }
}

/// The Sobol' G function (Saltelli & Sobol' 1995):
/// `g(x) = prod_i (|4 x_i - 2| + a_i) / (1 + a_i)`, `x_i` uniform on `[0, 1]`. A small `a_i`
/// makes input `i` important; `a_i = 99` makes it nearly irrelevant.
#[derive(Clone, Debug)]
pub struct SobolG {
    pub a: Vec<f64>,
}

/// The coefficients used by `--test-function sobol-g`: the default of SALib's `Sobol_G` test
/// function, so results can be checked against it; x1 matters most, x5..x8 hardly at all.
pub const SOBOL_G_A: [f64; 8] = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0];

impl Default for SobolG {
    fn default() -> Self {
        SobolG {
            a: SOBOL_G_A.to_vec(),
        }
    }
}

impl SobolG {
    /// Analytic indices: `V_i = 1 / (3 (1 + a_i)^2)`, `V = prod (1 + V_i) - 1`,
    /// `S_i = V_i / V`, `ST_i = V_i prod_{j != i} (1 + V_j) / V`.
    pub fn analytic(&self) -> (Vec<f64>, Vec<f64>) {
        let vi: Vec<f64> = self
            .a
            .iter()
            .map(|a| 1.0 / (3.0 * (1.0 + a) * (1.0 + a)))
            .collect();
        let prod: f64 = vi.iter().map(|v| 1.0 + v).product();
        let v = prod - 1.0;
        let s1 = vi.iter().map(|x| x / v).collect();
        let st = vi.iter().map(|x| x * prod / (1.0 + x) / v).collect();
        (s1, st)
    }
}

impl Model for SobolG {
    fn dim(&self) -> usize {
        self.a.len()
    }
    fn evaluate(&self, x: &[f64], _seed: u64) -> f64 {
        x.iter()
            .zip(&self.a)
            .map(|(x, a)| ((4.0 * x - 2.0).abs() + a) / (1.0 + a))
            .product()
    }
}

/// `f(x) = sum_i c_i x_i`: every elementary effect of input `i` equals `c_i` times its range.
#[derive(Clone, Debug)]
pub struct Linear {
    pub c: Vec<f64>,
}

impl Model for Linear {
    fn dim(&self) -> usize {
        self.c.len()
    }
    fn evaluate(&self, x: &[f64], _seed: u64) -> f64 {
        x.iter().zip(&self.c).map(|(x, c)| x * c).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sobol_g_analytic_indices_match_hand_values() {
        // a = 0: V_1 = 1/3; a = 1: V_2 = 1/12. For a two-input G with a = (0, 1):
        // V = (4/3)(13/12) - 1 = 4/9, S_1 = (1/3)/(4/9) = 0.75, S_2 = (1/12)/(4/9) = 0.1875,
        // ST_1 = (1/3)(13/12)/(4/9) = 0.8125.
        let g = SobolG { a: vec![0.0, 1.0] };
        let (s1, st) = g.analytic();
        assert!((s1[0] - 0.75).abs() < 1e-12 && (s1[1] - 0.1875).abs() < 1e-12);
        assert!((st[0] - 0.8125).abs() < 1e-12);
        // |4 * 0.5 - 2| + 0 = 0 zeroes the product.
        assert_eq!(g.evaluate(&[0.5, 0.5], 0), 0.0);
        assert!((g.evaluate(&[1.0, 0.0], 0) - 2.0 * 1.5).abs() < 1e-12);
    }

    #[test]
    fn ishigami_at_known_points() {
        let f = Ishigami::default();
        let h = std::f64::consts::FRAC_PI_2;
        // sin(pi/2) = 1: f = 1 + 7 + 0.1 * 1 = 8.1 at (pi/2, pi/2, 1).
        assert!((f.evaluate(&[h, h, 1.0], 0) - 8.1).abs() < 1e-12);
        assert_eq!(f.evaluate(&[0.0, 0.0, 3.0], 0), 0.0);
    }
}
