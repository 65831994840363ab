//! Typed access to a calculator's inputs, whether they came from flags
//! (all strings) or from a batch line (strings, numbers and arrays).

use serde_json::{Map, Value};
use steamflow_operators::units::ParseQuantity;

use super::error::CalcError;
use super::spec::{CalcSpec, InputKind};

/// Keys of a batch line that are not inputs.
pub const RESERVED_KEYS: [&str; 2] = ["id", "calc"];

/// The inputs of one calculation, checked against its spec.
pub struct Inputs<'a> {
    spec: &'static CalcSpec,
    values: &'a Map<String, Value>,
}

impl<'a> Inputs<'a> {
    /// Checks that every key is an input of the calculator and every required one is there.
    pub fn new(spec: &'static CalcSpec, values: &'a Map<String, Value>) -> Result<Self, CalcError> {
        for key in values.keys() {
            if spec.input(key).is_none() && !RESERVED_KEYS.contains(&key.as_str()) {
                return Err(CalcError::new(format!(
                    "`{}` takes no input `{key}`; its inputs are: {}",
                    spec.name,
                    spec.input_keys()
                )));
            }
        }
        for input in spec.inputs.iter().filter(|i| i.required) {
            if !values.contains_key(input.key) || values[input.key].is_null() {
                return Err(CalcError::new(format!(
                    "`{}` needs input `{}` ({})",
                    spec.name, input.key, input.help
                )));
            }
        }
        Ok(Inputs { spec, values })
    }

    fn raw(&self, key: &str) -> Option<&'a Value> {
        debug_assert!(self.spec.input(key).is_some(), "{key} is not in the spec");
        self.values.get(key).filter(|v| !v.is_null())
    }

    /// Whether the input was given.
    pub fn has(&self, key: &str) -> bool {
        self.raw(key).is_some()
    }

    /// A dimensioned input, written as a string with its unit.
    pub fn quantity<Q: ParseQuantity>(&self, key: &str) -> Result<Option<Q>, CalcError> {
        let Some(value) = self.raw(key) else {
            return Ok(None);
        };
        let what = match self.spec.input(key).map(|i| i.kind) {
            Some(InputKind::Quantity(what)) => what,
            _ => "value",
        };
        match value {
            Value::String(text) => Q::parse_quantity(text)
                .map(Some)
                .map_err(|e| CalcError::new(format!("input `{key}`: {e}"))),
            // The parser's own complaint about a bare number lists the accepted units.
            Value::Number(n) => Err(CalcError::new(match Q::parse_quantity(&n.to_string()) {
                Err(why) => {
                    format!("input `{key}` is a {what} written as a string with its unit: {why}")
                }
                Ok(_) => format!("input `{key}` is a {what} written as a string with its unit"),
            })),
            other => Err(CalcError::new(format!(
                "input `{key}` must be a string with a unit, not {}",
                kind_of(other)
            ))),
        }
    }

    /// A dimensioned input that must be present (its presence was checked by `new`
    /// when the spec marks it required; optional-but-needed ones are checked here).
    pub fn required_quantity<Q: ParseQuantity>(&self, key: &str) -> Result<Q, CalcError> {
        self.quantity(key)?
            .ok_or_else(|| CalcError::new(format!("`{}` needs input `{key}`", self.spec.name)))
    }

    /// A dimensionless number; a numeric string is accepted too (flags are strings).
    pub fn number(&self, key: &str) -> Result<Option<f64>, CalcError> {
        let Some(value) = self.raw(key) else {
            return Ok(None);
        };
        let number = match value {
            Value::Number(n) => n.as_f64(),
            Value::String(text) => text.trim().parse::<f64>().ok(),
            _ => None,
        };
        match number {
            Some(n) if n.is_finite() => Ok(Some(n)),
            Some(_) => Err(CalcError::new(format!("input `{key}` must be finite"))),
            None => Err(CalcError::new(format!(
                "input `{key}` must be a number, not {}",
                kind_of(value)
            ))),
        }
    }

    /// A dimensionless number that must be present.
    pub fn required_number(&self, key: &str) -> Result<f64, CalcError> {
        self.number(key)?
            .ok_or_else(|| CalcError::new(format!("`{}` needs input `{key}`", self.spec.name)))
    }

    /// A list of numbers: a JSON array, or a string `"a, b, c"` / `"[a, b, c]"`.
    pub fn numbers(&self, key: &str) -> Result<Option<Vec<f64>>, CalcError> {
        let Some(value) = self.raw(key) else {
            return Ok(None);
        };
        let bad = || CalcError::new(format!("input `{key}` must be a list of finite numbers"));
        let list: Vec<f64> = match value {
            Value::Array(items) => items
                .iter()
                .map(|item| item.as_f64().filter(|n| n.is_finite()).ok_or_else(bad))
                .collect::<Result<_, _>>()?,
            Value::String(text) => text
                .trim()
                .trim_start_matches('[')
                .trim_end_matches(']')
                .split(',')
                .map(|item| {
                    item.trim()
                        .parse::<f64>()
                        .ok()
                        .filter(|n| n.is_finite())
                        .ok_or_else(bad)
                })
                .collect::<Result<_, _>>()?,
            _ => return Err(bad()),
        };
        if list.is_empty() {
            return Err(CalcError::new(format!(
                "input `{key}` must list at least one number"
            )));
        }
        Ok(Some(list))
    }

    /// A list of numbers that must be present.
    pub fn required_numbers(&self, key: &str) -> Result<Vec<f64>, CalcError> {
        self.numbers(key)?
            .ok_or_else(|| CalcError::new(format!("`{}` needs input `{key}`", self.spec.name)))
    }

    /// Which of the given keys were supplied, in the given order.
    pub fn present<'k>(&self, keys: &[&'k str]) -> Vec<&'k str> {
        keys.iter().copied().filter(|k| self.has(k)).collect()
    }
}

/// What kind of JSON value this is, in words for error messages.
pub(crate) fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
