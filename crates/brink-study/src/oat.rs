//! One-at-a-time: each input to its low and then its high value, the others at their base
//! values (the tornado chart). Cheap (`2k + 1` runs) and blind to interactions.

/// The `2k + 1` points: the base, then for each input `i` low_i and high_i.
pub fn oat_design(base: &[f64], low: &[f64], high: &[f64]) -> Vec<f64> {
    let k = base.len();
    let mut rows = Vec::with_capacity((2 * k + 1) * k);
    rows.extend_from_slice(base);
    for i in 0..k {
        for v in [low[i], high[i]] {
            rows.extend_from_slice(base);
            let last = rows.len() - k;
            rows[last + i] = v;
        }
    }
    rows
}

/// Outputs at the base and at each input's low and high.
#[derive(Clone, Debug, PartialEq)]
pub struct OatResult {
    pub base_value: f64,
    pub value_at_low: Vec<f64>,
    pub value_at_high: Vec<f64>,
}

impl OatResult {
    /// `|f(high) - f(low)|` of each input: the width of its tornado bar.
    pub fn swing(&self) -> Vec<f64> {
        self.value_at_low
            .iter()
            .zip(&self.value_at_high)
            .map(|(l, h)| (h - l).abs())
            .collect()
    }
}

/// Reads the outputs of [`oat_design`]'s rows.
pub fn oat_result(k: usize, y: &[f64]) -> Result<OatResult, String> {
    if y.len() != 2 * k + 1 {
        return Err(format!(
            "expected {} outputs (2k + 1), got {}",
            2 * k + 1,
            y.len()
        ));
    }
    Ok(OatResult {
        base_value: y[0],
        value_at_low: (0..k).map(|i| y[1 + 2 * i]).collect(),
        value_at_high: (0..k).map(|i| y[2 + 2 * i]).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testfn::Linear;
    use crate::{evaluate_rows, no_progress};

    #[test]
    fn oat_on_a_linear_function_gives_coefficient_times_range() {
        let f = Linear {
            c: vec![2.0, -1.0, 0.0],
        };
        let base = [0.5, 1.0, 3.0];
        let (low, high) = ([0.0, 0.0, 0.0], [1.0, 4.0, 10.0]);
        let y = evaluate_rows(&f, &oat_design(&base, &low, &high), 0, 1, &no_progress);
        let r = oat_result(3, &y).unwrap();
        assert_eq!(r.base_value, 0.0);
        assert_eq!(r.value_at_low, vec![-1.0, 1.0, 0.0]);
        assert_eq!(r.value_at_high, vec![1.0, -3.0, 0.0]);
        assert_eq!(r.swing(), vec![2.0, 4.0, 0.0]);
    }
}
