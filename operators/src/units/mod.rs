//! Physical quantities with their units.
//!
//! Every dimensioned number that crosses a public API of steamflow is one of
//! the newtypes in [`quantity`]. Each stores its value in SI base units and
//! offers named constructors and accessors for the units engineers use, so a
//! pressure in bar can never be passed where MPa was meant.
//!
//! [`parse`] turns user strings such as `"10 barg"` or `"180 °C"` into these
//! types, with an error that lists the accepted units.

pub mod parse;
pub mod quantity;

pub use parse::{ParseQuantity, UnitError};
pub use quantity::*;
