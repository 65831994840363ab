//! Steam-system calculations of the analysis layer.
//!
//! Each calculator lives in its own module, takes typed quantities
//! ([`crate::units`]) and returns a result struct or a [`CalcError`]; none
//! panics on any input. Doc comments give each formula and its source.

pub mod error;

pub use error::CalcError;
