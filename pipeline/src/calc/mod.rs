//! The calculators behind `steamflow calc`.
//!
//! Each calculator is a [`CalcSpec`] (its inputs and outputs, which drive the
//! CLI flags, `--help` and the batch contract) and a function from checked
//! [`Inputs`] to [`Outputs`] in fixed units. The physics lives in
//! `steamflow_operators`; this layer only reads units and names results.

pub mod batch;
mod calcs;
mod error;
mod inputs;
mod outputs;
pub mod spec;

pub use error::CalcError;
pub use inputs::Inputs;
pub use outputs::Outputs;
pub use spec::CalcSpec;

use serde_json::{Map, Value};

/// A calculator: its contract and its function.
#[derive(Clone, Copy)]
pub struct Calculator {
    pub spec: &'static CalcSpec,
    pub run: fn(&Inputs) -> Result<Outputs, CalcError>,
}

/// Every calculator, in the order `steamflow calc --help` lists them.
pub const CALCULATORS: &[Calculator] = calcs::ALL;

/// The calculator of that name.
pub fn find(name: &str) -> Option<&'static Calculator> {
    CALCULATORS.iter().find(|c| c.spec.name == name)
}

/// Runs the named calculator on raw inputs (strings, numbers, arrays).
pub fn evaluate(name: &str, values: &Map<String, Value>) -> Result<Outputs, CalcError> {
    let calculator = find(name).ok_or_else(|| {
        let names: Vec<_> = CALCULATORS.iter().map(|c| c.spec.name).collect();
        CalcError::new(format!(
            "unknown calc `{name}`; known: {}",
            names.join(", ")
        ))
    })?;
    let inputs = Inputs::new(calculator.spec, values)?;
    (calculator.run)(&inputs)?.checked(name)
}
