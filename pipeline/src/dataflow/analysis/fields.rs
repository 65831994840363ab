//! What the analysis records are made of: a totally ordered `f64` (records
//! are differential data, so they need `Ord`), and a writer of JSON fields
//! for their [`OutputRecord`](crate::dataflow::OutputRecord) renderings.

use std::cmp::Ordering;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use steamflow_operators::reading::format_utc_ms;

use crate::dataflow::render::{json_f64, json_str};

/// A number with a total order (`f64::total_cmp`): equal when bit-equal, so
/// a record holding NaN still consolidates with its own retraction.
///
/// ```
/// use steamflow::dataflow::analysis::F64;
///
/// assert!(F64(1.0) < F64(2.0));
/// assert_eq!(F64(f64::NAN), F64(f64::NAN));
/// assert_eq!(f64::from(F64(2.5)), 2.5);
/// ```
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct F64(pub f64);

impl F64 {
    /// The number.
    pub fn get(self) -> f64 {
        self.0
    }
}

impl From<f64> for F64 {
    fn from(value: f64) -> Self {
        F64(value)
    }
}

impl From<F64> for f64 {
    fn from(value: F64) -> Self {
        value.0
    }
}

impl PartialEq for F64 {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_bits() == other.0.to_bits()
    }
}

impl Eq for F64 {}

impl PartialOrd for F64 {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for F64 {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

impl std::hash::Hash for F64 {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.to_bits().hash(state);
    }
}

/// `Some(F64)` of a finite number, `None` otherwise.
pub(crate) fn finite(value: f64) -> Option<F64> {
    value.is_finite().then_some(F64(value))
}

/// Writes `"name":value` members separated by commas (no braces), the
/// shape [`OutputRecord::write_fields`](crate::dataflow::OutputRecord::write_fields) asks for.
pub(crate) struct Fields<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(out: &'a mut String) -> Self {
        Fields { out, first: true }
    }

    fn name(&mut self, name: &str) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        json_str(self.out, name);
        self.out.push(':');
    }

    /// A string.
    pub(crate) fn str(&mut self, name: &str, value: &str) -> &mut Self {
        self.name(name);
        json_str(self.out, value);
        self
    }

    /// A string or `null`.
    pub(crate) fn opt_str(&mut self, name: &str, value: Option<&str>) -> &mut Self {
        match value {
            Some(value) => self.str(name, value),
            None => self.null(name),
        }
    }

    /// `null`.
    pub(crate) fn null(&mut self, name: &str) -> &mut Self {
        self.name(name);
        self.out.push_str("null");
        self
    }

    /// A number (`null` when not finite).
    pub(crate) fn num(&mut self, name: &str, value: impl Into<f64>) -> &mut Self {
        self.name(name);
        json_f64(self.out, value.into());
        self
    }

    /// A number or `null`.
    pub(crate) fn opt(&mut self, name: &str, value: Option<F64>) -> &mut Self {
        match value {
            Some(value) => self.num(name, value),
            None => self.null(name),
        }
    }

    /// An integer.
    pub(crate) fn int(&mut self, name: &str, value: impl Into<i128>) -> &mut Self {
        self.name(name);
        let _ = write!(self.out, "{}", value.into());
        self
    }

    /// `true` or `false`.
    pub(crate) fn bool(&mut self, name: &str, value: bool) -> &mut Self {
        self.name(name);
        self.out.push_str(if value { "true" } else { "false" });
        self
    }

    /// An event time: `name` in ms and `name_utc` as RFC 3339.
    pub(crate) fn time(&mut self, name: &str, time_ms: u64) -> &mut Self {
        self.int(name, time_ms);
        self.name(&format!("{name}_utc"));
        json_str(
            self.out,
            &format_utc_ms(i64::try_from(time_ms).unwrap_or(i64::MAX)),
        );
        self
    }

    /// An array of strings.
    pub(crate) fn strs<S: AsRef<str>>(&mut self, name: &str, values: &[S]) -> &mut Self {
        self.name(name);
        self.out.push('[');
        for (index, value) in values.iter().enumerate() {
            if index > 0 {
                self.out.push(',');
            }
            json_str(self.out, value.as_ref());
        }
        self.out.push(']');
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_read_as_json() {
        let mut out = String::from("{");
        Fields::new(&mut out)
            .str("a", "x\"y")
            .num("b", 1.5)
            .opt("c", None)
            .opt("d", finite(f64::NAN))
            .int("e", -3_i64)
            .bool("f", true)
            .time("t", 0)
            .strs("g", &["p", "q"]);
        out.push('}');
        let value: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(value["a"], "x\"y");
        assert_eq!(value["b"], 1.5);
        assert!(value["c"].is_null() && value["d"].is_null());
        assert_eq!(value["e"], -3);
        assert_eq!(value["t_utc"], "1970-01-01T00:00:00.000Z");
        assert_eq!(value["g"][1], "q");
    }

    #[test]
    fn numbers_order_totally() {
        let mut values = [F64(2.0), F64(f64::NAN), F64(-1.0), F64(0.0)];
        values.sort();
        assert_eq!(values[0], F64(-1.0));
        assert_eq!(values[3], F64(f64::NAN));
    }
}
