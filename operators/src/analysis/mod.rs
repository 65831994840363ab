//! Steam-system calculations of the analysis layer.
//!
//! Each calculator lives in its own module, takes typed quantities
//! ([`crate::units`]) and returns a result struct or a [`CalcError`]; none
//! panics on any input. Doc comments give each formula and its source.
//!
//! - [`flash`]: flash steam from condensate;
//! - [`leak`]: steam leaks through an orifice (and Napier's cross-check);
//! - [`trap_loss`]: steam, energy and money lost through failed traps;
//! - [`heat_loss`]: heat loss of bare and insulated pipes, and the steam it condenses;
//! - [`pressure_drop`]: Darcy–Weisbach with Colebrook, fittings, elevation, velocity check;
//! - [`condensate`]: the value of condensate recovery;
//! - [`balance`]: mass and energy balance of the system;
//! - [`signal`]: one signal summarised over a window, and whether it is usable;
//! - [`loss_pricing`]: the energy reference and prices every loss is valued at;
//! - [`trap_status`]: the state of each steam trap, its confidence and loss;
//! - [`cusum`]: the sequential change detector behind leak detection;
//! - [`leak_detection`]: leaks from the balance residual and ultrasound, fused, sized and ranked;
//! - [`plant_balance`]: one plant's mass and energy balance per window, with the loss breakdown.

pub mod balance;
pub mod condensate;
pub mod cusum;
pub mod error;
pub mod flash;
pub mod heat_loss;
pub mod leak;
pub mod leak_detection;
pub mod loss_pricing;
pub mod plant_balance;
pub mod pressure_drop;
pub mod signal;
pub mod trap_loss;
pub mod trap_status;

#[cfg(test)]
mod test_noise;

pub use error::CalcError;
