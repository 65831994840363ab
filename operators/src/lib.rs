//! # steamflow-operators
//!
//! The physics core of steamflow: typed physical quantities and unit parsing
//! ([`units`]), the IAPWS-IF97 industrial formulation for water and steam
//! ([`if97`]), the steam-system calculations of the analysis layer
//! ([`analysis`]), the economics that price them ([`economics`]) and the
//! alert state machines that turn results into notifications ([`alerting`]).
//!
//! Everything here is pure: no I/O, no async, no allocation on the hot paths,
//! and every failure is a [`Result`] — never a panic, never a sentinel number.

pub mod alerting;
pub mod analysis;
pub mod economics;
pub mod if97;
pub mod plant;
pub mod reading;
pub mod transport;
pub mod units;
