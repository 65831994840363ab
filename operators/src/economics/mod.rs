//! Economics: what steam costs, and whether a repair or project pays.
//!
//! Money is a plain `f64` in the plant's currency; names say what it is per
//! (`fuel_price_per_gj`, `cost_per_tonne`). Rates are fractions per period
//! (0.08 = 8 % a year).
//!
//! Cash-flow convention, used by [`npv()`], [`irr()`] and [`payback()`]:
//! `cashflows[t]` is the net cash flow at the *end* of period `t`, so
//! `cashflows[0]` happens now and is not discounted (it is usually the
//! negative investment), `cashflows[1]` one period from now, and so on.
//! This differs from the spreadsheet `NPV()` function, which discounts its
//! first value by one period.

pub mod appraisal;
pub mod irr;
pub mod npv;
pub mod payback;
pub mod plant_cost;
pub mod sensitivity;
pub mod steam_cost;

pub use crate::analysis::CalcError;
pub use appraisal::{Appraisal, ProjectInput, appraise};
pub use irr::{Irr, irr};
pub use npv::npv;
pub use payback::{payback, simple_payback};
pub use plant_cost::{PlantSteamCost, co2_tonnes_per_year, plant_steam_cost};
pub use sensitivity::{Factor, SensitivityInput, SensitivityRanges, TornadoRow, tornado};
pub use steam_cost::{SteamCost, SteamCostInput, steam_cost};
