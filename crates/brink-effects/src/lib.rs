//! # brink-effects: consequences of a nuclear detonation
//!
//! Blast (Brode 1986 fit or DNA 1 kt standard), thermal fluence and prompt radiation
//! (CEX-62.2 curve fits), WSEG-10 fallout, and casualty estimates (OTA 1979
//! overpressure-zone rates) for a city, a custom population or a troop concentration.
//! Everything here is a pure function of its inputs; only [`cli`] does I/O.
//!
//! The escalation ladder calls [`strike_casualties`]:
//!
//! ```
//! use brink_effects::{strike_casualties, Burst, Strike, Target};
//! let strike = Strike::new(10.0, Burst::Optimum);
//! let est = strike_casualties(&strike, &Target::City { name: "Kyiv".into() }).unwrap();
//! assert!(est.killed > 0.0);
//! ```
//!
//! See `docs/model/effects.md` for the equations, sources and what is left out.

pub mod blast;
pub mod casualties;
pub mod cex62;
pub mod cities;
pub mod cli;
pub mod effects;
pub mod error;
pub mod fallout;
pub mod grid;
pub mod svg;
pub mod units;

pub use blast::BlastModel;
pub use casualties::{
    CasualtyEstimate, CasualtyOptions, DensityProfile, Target, Wind, ZoneCasualties,
    strike_casualties, strike_casualties_with,
};
pub use effects::{Burst, RangeOptions, Ranges, Strike, ranges};
pub use error::EffectsError;
