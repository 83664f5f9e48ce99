//! Error type of the effects model.

use thiserror::Error;

/// Everything that can go wrong when asking the effects model a question.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum EffectsError {
    /// A numeric input was NaN or infinite.
    #[error("{name} must be a finite number, got {value}")]
    NotFinite { name: &'static str, value: f64 },
    /// Yield outside (0, MAX_YIELD_KT].
    #[error("yield must be > 0 kt and at most {max_kt} kt (100 Mt), got {value_kt} kt")]
    BadYield { value_kt: f64, max_kt: f64 },
    /// Negative burst height.
    #[error(
        "height of burst must be >= 0 m (use --burst surface for a contact burst), got {value_m} m"
    )]
    NegativeHeight { value_m: f64 },
    /// Some other parameter outside its domain.
    #[error("{name} {problem}, got {value}")]
    OutOfRange {
        name: &'static str,
        problem: &'static str,
        value: f64,
    },
    /// The city is not in the bundled table.
    #[error(
        "unknown city '{name}'; {suggestion}known cities: {known} (or give --population-total and --city-radius-km)"
    )]
    UnknownCity {
        name: String,
        /// "did you mean 'X'? " for a near miss, else empty.
        suggestion: String,
        known: String,
    },
    /// Inconsistent or missing options (CLI level).
    #[error("{0}")]
    Usage(String),
    /// Writing output failed.
    #[error("I/O error: {0}")]
    Io(String),
}

impl From<std::io::Error> for EffectsError {
    fn from(e: std::io::Error) -> Self {
        EffectsError::Io(e.to_string())
    }
}

/// Largest accepted yield: 100 Mt (above the largest device ever tested, 50 Mt).
pub const MAX_YIELD_KT: f64 = 100_000.0;

/// Check that `value` is finite.
pub fn finite(name: &'static str, value: f64) -> Result<f64, EffectsError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(EffectsError::NotFinite { name, value })
    }
}

/// Validate a yield in kt.
pub fn check_yield_kt(yield_kt: f64) -> Result<f64, EffectsError> {
    finite("yield_kt", yield_kt)?;
    if yield_kt <= 0.0 || yield_kt > MAX_YIELD_KT {
        return Err(EffectsError::BadYield {
            value_kt: yield_kt,
            max_kt: MAX_YIELD_KT,
        });
    }
    Ok(yield_kt)
}

/// Validate a burst height in m.
pub fn check_height_m(height_m: f64) -> Result<f64, EffectsError> {
    finite("height_m", height_m)?;
    if height_m < 0.0 {
        return Err(EffectsError::NegativeHeight { value_m: height_m });
    }
    Ok(height_m)
}

/// Validate a strictly positive finite parameter.
pub fn positive(name: &'static str, value: f64) -> Result<f64, EffectsError> {
    finite(name, value)?;
    if value <= 0.0 {
        return Err(EffectsError::OutOfRange {
            name,
            problem: "must be > 0",
            value,
        });
    }
    Ok(value)
}

/// Validate a non-negative finite parameter.
pub fn non_negative(name: &'static str, value: f64) -> Result<f64, EffectsError> {
    finite(name, value)?;
    if value < 0.0 {
        return Err(EffectsError::OutOfRange {
            name,
            problem: "must be >= 0",
            value,
        });
    }
    Ok(value)
}
