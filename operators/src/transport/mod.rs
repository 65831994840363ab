//! Transport properties: viscosity of water and steam, and the properties of
//! air that convection correlations need.
//!
//! - [`viscosity`]: IAPWS R12-08, the industrial formulation of the
//!   viscosity of ordinary water substance (μ₂ = 1), with densities from IF97.
//! - [`air`]: dry air at low pressure from Lemmon & Jacobsen (2004) and an
//!   ideal-gas heat capacity.

pub mod air;
pub mod two_phase;
pub mod viscosity;

pub use air::{AirProperties, air_properties};
pub use two_phase::mcadams_viscosity;
pub use viscosity::{steam_viscosity, viscosity_pt, water_viscosity};
