//! A calculator's answer: named values in fixed units, in the order of its spec.

use serde_json::{Map, Value};

/// Named output values; numbers that are not finite become `null`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outputs(Map<String, Value>);

impl Outputs {
    pub fn new() -> Outputs {
        Outputs::default()
    }

    /// A number (NaN and infinities are written as null: JSON has no such numbers).
    pub fn number(mut self, key: &str, value: f64) -> Outputs {
        self.0.insert(key.to_owned(), number_value(value));
        self
    }

    /// A number that may be absent (null).
    pub fn maybe(mut self, key: &str, value: Option<f64>) -> Outputs {
        self.0
            .insert(key.to_owned(), value.map_or(Value::Null, number_value));
        self
    }

    pub fn boolean(mut self, key: &str, value: bool) -> Outputs {
        self.0.insert(key.to_owned(), Value::Bool(value));
        self
    }

    pub fn integer(mut self, key: &str, value: i64) -> Outputs {
        self.0.insert(key.to_owned(), Value::from(value));
        self
    }

    pub fn numbers(mut self, key: &str, values: &[f64]) -> Outputs {
        self.0.insert(
            key.to_owned(),
            Value::Array(values.iter().map(|&v| number_value(v)).collect()),
        );
        self
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }

    pub fn into_map(self) -> Map<String, Value> {
        self.0
    }
}

fn number_value(value: f64) -> Value {
    serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number)
}
