//! # steamflow-arroyo-udf
//!
//! steamflow's steam tables (IAPWS-IF97), steam-system calculators and
//! repair economics as scalar functions for [Arroyo](https://www.arroyo.dev)
//! clusters, with the names, arguments and units of steamflow's own SQL
//! functions.
//!
//! Every function takes and returns plain `f64` in engineering units
//! (pressure in bar absolute, temperature in °C, enthalpy in kJ/kg, …; each
//! function's doc says which) and returns `None` — SQL `NULL` — for an input
//! that is NaN, infinite, or outside the range of the underlying model. They
//! never panic: a bad reading must not take down a worker, and a panic would
//! otherwise have to cross the plugin's C interface.
//!
//! The physics is `steamflow-operators`; this crate only converts units and
//! turns errors into `None`. The Arroyo UDF definitions that wrap these
//! functions with `#[udf]` are in `udfs/`, one file per function (Arroyo
//! builds each UDF as its own dynamic library); [`UDFS`] lists them with
//! their arguments and units.

mod calculators;
mod catalogue;
mod economics;
mod steam;

pub use calculators::{flash_fraction, pipe_heat_loss_w_per_m, steam_leak_kg_h};
pub use catalogue::{Argument, Udf, UDFS};
pub use economics::{discounted_payback_years, npv_annuity, simple_payback_years};
pub use steam::{
    steam_h_pt, steam_h_px, steam_latent_heat_p, steam_psat_t, steam_rho_pt, steam_rho_px,
    steam_s_pt, steam_s_px, steam_superheat_pt, steam_tsat_p, steam_v_pt, steam_v_px,
};

/// A result as SQL sees it: the value if it is a finite number, else NULL.
///
/// The calculators already refuse non-finite inputs and results; this is the
/// last guard that no NaN or infinity leaves the plugin as a "value".
fn finite(value: f64) -> Option<f64> {
    value.is_finite().then_some(value)
}
