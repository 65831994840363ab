//! # steamflow-operators
//!
//! The physics core of steamflow: typed physical quantities and unit parsing
//! ([`units`]), the IAPWS-IF97 industrial formulation for water and steam
//! ([`if97`]), the steam-system calculations of the analysis layer
//! ([`analysis`]) and the economics that price them ([`economics`]).
//!
//! Everything here is pure: no I/O, no async, no allocation on the hot paths,
//! and every failure is a [`Result`] — never a panic, never a sentinel number.

pub mod analysis;
pub mod economics;
pub mod if97;
pub mod plant;
pub mod reading;
pub mod transport;
pub mod units;
