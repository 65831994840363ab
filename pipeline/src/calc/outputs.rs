//! A calculator's answer: named values in fixed units, in the order of its spec.

use serde_json::{Map, Value};

use super::CalcError;

/// Named output values.
///
/// JSON has no NaN or infinity, and a calculator that produced one has a
/// bug: such a value is remembered and turned into an error by
/// [`Outputs::checked`] rather than printed as a `null` that reads like
/// "not defined".
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outputs {
    values: Map<String, Value>,
    non_finite: Vec<String>,
}

impl Outputs {
    pub fn new() -> Outputs {
        Outputs::default()
    }

    fn insert_number(&mut self, key: &str, value: f64) -> Value {
        if !value.is_finite() {
            self.non_finite.push(key.to_owned());
            return Value::Null;
        }
        // -0.0 is a rounding artefact, not a quantity: print it as 0.
        let value = if value == 0.0 { 0.0 } else { value };
        serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number)
    }

    /// A number that must be finite.
    pub fn number(mut self, key: &str, value: f64) -> Outputs {
        let value = self.insert_number(key, value);
        self.values.insert(key.to_owned(), value);
        self
    }

    /// A number that may be absent (null, meaning "not defined here").
    pub fn maybe(mut self, key: &str, value: Option<f64>) -> Outputs {
        let value = value.map_or(Value::Null, |v| self.insert_number(key, v));
        self.values.insert(key.to_owned(), value);
        self
    }

    pub fn boolean(mut self, key: &str, value: bool) -> Outputs {
        self.values.insert(key.to_owned(), Value::Bool(value));
        self
    }

    pub fn integer(mut self, key: &str, value: i64) -> Outputs {
        self.values.insert(key.to_owned(), Value::from(value));
        self
    }

    pub fn numbers(mut self, key: &str, values: &[f64]) -> Outputs {
        let list = values.iter().map(|&v| self.insert_number(key, v)).collect();
        self.values.insert(key.to_owned(), Value::Array(list));
        self
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.values.get(key)
    }

    /// The outputs, or an error naming any that came out NaN or infinite.
    pub fn checked(self, calc: &str) -> Result<Outputs, CalcError> {
        if self.non_finite.is_empty() {
            Ok(self)
        } else {
            Err(CalcError::new(format!(
                "`{calc}` produced a non-finite {}; please report this input",
                self.non_finite.join(", ")
            )))
        }
    }

    pub fn into_map(self) -> Map<String, Value> {
        self.values
    }
}
