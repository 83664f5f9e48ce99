//! Unit conversion constants (exact by definition unless noted).

/// Metres per international foot (exact, 1959 international yard and pound agreement).
pub const M_PER_FT: f64 = 0.3048;
/// Kilometres per statute mile (exact: 5280 ft x 0.3048 m).
pub const KM_PER_MI: f64 = 1.609344;
/// Pascals per psi (lbf/in^2), 4.4482216152605 N / (0.0254 m)^2.
pub const PA_PER_PSI: f64 = 6894.757293168361;
/// Kilometres per hour per mile per hour.
pub const KMH_PER_MPH: f64 = KM_PER_MI;
/// Kilofeet per kilometre.
pub const KFT_PER_KM: f64 = 1.0 / M_PER_FT;

/// Cube root of a yield in kt: the cube-root scaling factor (Glasstone & Dolan 1977, §3.60).
#[inline]
pub fn cube_root_kt(yield_kt: f64) -> f64 {
    yield_kt.cbrt()
}
