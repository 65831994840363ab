//! Typed rows: a record pushes its columns through a
//! [`RowAppender`](steamflow_sink_parquet::RowAppender) (the same calls
//! that fill a Parquet file), the values are captured here without
//! allocating, and the table encodes them as RowBinary in its own column
//! order — no JSON is written or parsed on the way.

use std::ops::Range;

use arrow::datatypes::Field as ArrowField;
use serde_json::{Map, Value as Json};
use steamflow_sink_parquet::{RowTarget, Value};

/// One captured value; strings are ranges of the capture's text.
#[derive(Clone, Debug)]
enum Slot {
    Null,
    F64(f64),
    I64(i64),
    U64(u64),
    I32(i32),
    U32(u32),
    Bool(bool),
    Str(Range<usize>),
    TimeMs(i64),
}

/// The values of one row, by the index of its arrow field. Reused from
/// row to row: after the first rows it allocates nothing.
#[derive(Debug)]
pub(crate) struct Capture {
    names: Vec<String>,
    slots: Vec<Slot>,
    text: String,
}

impl Capture {
    /// A capture of rows with these fields.
    pub(crate) fn new(fields: &[ArrowField]) -> Capture {
        Capture {
            names: fields.iter().map(|field| field.name().clone()).collect(),
            slots: vec![Slot::Null; fields.len()],
            text: String::new(),
        }
    }

    /// The fields' names, in order.
    pub(crate) fn names(&self) -> &[String] {
        &self.names
    }

    /// Starts a new row.
    pub(crate) fn clear(&mut self) {
        self.text.clear();
    }

    /// The value of field `index` in the row captured last.
    pub(crate) fn get(&self, index: usize) -> Value<'_> {
        match self.slots.get(index) {
            None | Some(Slot::Null) => Value::Null,
            Some(Slot::F64(v)) => Value::F64(*v),
            Some(Slot::I64(v)) => Value::I64(*v),
            Some(Slot::U64(v)) => Value::U64(*v),
            Some(Slot::I32(v)) => Value::I32(*v),
            Some(Slot::U32(v)) => Value::U32(*v),
            Some(Slot::Bool(v)) => Value::Bool(*v),
            Some(Slot::Str(range)) => Value::Str(self.text.get(range.clone()).unwrap_or_default()),
            Some(Slot::TimeMs(v)) => Value::TimeMs(*v),
        }
    }

    /// The row as JSON object members, for the dead-letter file.
    pub(crate) fn to_json(&self) -> String {
        let mut object = Map::new();
        for (index, name) in self.names.iter().enumerate() {
            let value = match self.get(index) {
                Value::Null => Json::Null,
                Value::F64(v) => serde_json::Number::from_f64(v).map_or(Json::Null, Json::Number),
                Value::I64(v) | Value::TimeMs(v) => v.into(),
                Value::U64(v) => v.into(),
                Value::I32(v) => v.into(),
                Value::U32(v) => v.into(),
                Value::Bool(v) => v.into(),
                Value::Str(v) => v.into(),
            };
            object.insert(name.clone(), value);
        }
        let text = Json::Object(object).to_string();
        text.strip_prefix('{')
            .and_then(|t| t.strip_suffix('}'))
            .unwrap_or(&text)
            .to_owned()
    }
}

impl RowTarget for Capture {
    fn columns(&self) -> usize {
        self.slots.len()
    }

    fn push(&mut self, index: usize, value: Value<'_>) -> Result<(), String> {
        let slot = match value {
            Value::Null => Slot::Null,
            Value::F64(v) => Slot::F64(v),
            Value::I64(v) => Slot::I64(v),
            Value::U64(v) => Slot::U64(v),
            Value::I32(v) => Slot::I32(v),
            Value::U32(v) => Slot::U32(v),
            Value::Bool(v) => Slot::Bool(v),
            Value::TimeMs(v) => Slot::TimeMs(v),
            Value::Str(v) => {
                let start = self.text.len();
                self.text.push_str(v);
                Slot::Str(start..self.text.len())
            }
        };
        let target = self
            .slots
            .get_mut(index)
            .ok_or_else(|| format!("no column {index}"))?;
        *target = slot;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::datatypes::DataType;
    use steamflow_sink_parquet::RowAppender;

    #[test]
    fn a_row_is_captured_by_field_and_rendered_for_dead_letters() {
        let fields = [
            ArrowField::new("tag", DataType::Utf8, false),
            ArrowField::new("value", DataType::Float64, true),
        ];
        let mut capture = Capture::new(&fields);
        RowAppender::push_into(&mut capture, |row| {
            row.str("PT-1").null();
        })
        .unwrap();
        assert_eq!(capture.get(0), Value::Str("PT-1"));
        assert_eq!(capture.get(1), Value::Null);
        assert_eq!(capture.to_json(), r#""tag":"PT-1","value":null"#);
        capture.clear();
        let error = RowAppender::push_into(&mut capture, |row| {
            row.str("x");
        })
        .unwrap_err();
        assert!(error.contains("1 values for 2 columns"), "{error}");
    }
}
