//! The Parquet file of one named stream: `<dir>/<stream>.parquet`, a
//! `time` column (the update's dataflow time, UTC), the record's columns,
//! and `diff`.
//!
//! A record type with typed columns ([`OutputRecord::columns`]) is
//! written column for column. Any other record is mapped from its JSON
//! fields: the columns are the fields of the records of the first settled
//! time, in order of first appearance, typed by their first non-null value —
//! a number is `Float64` (`Int64` for a field named `*_ms`), a boolean
//! `Boolean`, anything else `Utf8` (arrays and objects as JSON text); every
//! column is nullable. Later records fill those columns (a value that does
//! not fit its column is null) and fields first seen later are left out,
//! with a warning.
//!
//! [`OutputRecord::columns`]: crate::dataflow::OutputRecord::columns

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Map, Value};
use steamflow_sink_parquet::arrow_types::{DataType, Field};
use steamflow_sink_parquet::{ParquetWriter, RowAppender, SinkError, check_stream_name};

use super::status::StreamOutput;
use crate::dataflow::render::time_column;
use crate::dataflow::{RecordSink, SinkRecord, Time};

/// The kind of a column mapped from JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    F64,
    I64,
    Bool,
    Str,
}

/// Rows of the first time, held until the columns are known.
type Pending = Vec<(Time, isize, Map<String, Value>)>;

enum Mode {
    /// Typed columns; the writer is open.
    Typed,
    /// Columns from JSON, not yet known: rows wait.
    Inferring(Pending),
    /// Columns from JSON, known.
    Mapped(Vec<(String, Kind)>),
}

/// Writes one stream to Parquet (see the [module docs](self)); open only
/// on worker 0, where a stream's updates arrive.
pub struct ParquetStream {
    path: PathBuf,
    writer: Option<ParquetWriter<()>>,
    mode: Mode,
    output: Arc<StreamOutput>,
    fields: String,
    dropped_fields: bool,
}

impl ParquetStream {
    /// The file of `stream` in `dir`; `columns` are the record's typed
    /// columns, if it has them. When `open` is false the sink discards
    /// everything (the workers other than 0).
    pub fn new(
        dir: &Path,
        stream: &str,
        columns: Option<Vec<Field>>,
        open: bool,
        output: Arc<StreamOutput>,
    ) -> ParquetStream {
        let path = dir.join(format!("{stream}.parquet"));
        let mut sink = ParquetStream {
            path,
            writer: None,
            mode: Mode::Inferring(Vec::new()),
            output,
            fields: String::new(),
            dropped_fields: false,
        };
        if !open {
            sink.mode = Mode::Mapped(Vec::new());
            return sink;
        }
        if let Err(error) = check_stream_name(stream) {
            sink.output.fail(error);
            sink.mode = Mode::Mapped(Vec::new());
            return sink;
        }
        if let Some(columns) = columns {
            let mut fields = vec![time_column("time", false)];
            fields.extend(columns);
            sink.open(fields);
            sink.mode = Mode::Typed;
        }
        sink
    }

    fn open(&mut self, fields: Vec<Field>) {
        let created = self
            .path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .map_err(|source| SinkError::Create {
                path: self.path.clone(),
                source,
            })
            .and_then(|()| ParquetWriter::create_with_fields(&self.path, fields));
        match created {
            Ok(writer) => self.writer = Some(writer),
            Err(error) => self.output.fail(error),
        }
    }

    fn append(&mut self, diff: isize, push: impl FnOnce(&mut RowAppender<'_>)) {
        let Some(writer) = &mut self.writer else {
            return;
        };
        match writer.append_with(diff as i64, push) {
            Ok(()) => self.output.add_rows(1),
            Err(error) => {
                self.output.fail(error);
                self.writer = None;
            }
        }
    }

    fn write_mapped(&mut self, time: Time, diff: isize, record: &Map<String, Value>) {
        let Mode::Mapped(columns) = &self.mode else {
            return;
        };
        if !self.dropped_fields && record.keys().any(|k| !columns.iter().any(|(c, _)| c == k)) {
            self.dropped_fields = true;
            self.output.fail(format!(
                "{}: records of this stream have fields the first ones lacked; those fields are not in the Parquet file",
                self.path.display()
            ));
        }
        let columns = columns.clone();
        self.append(diff, |row| {
            row.time_ms(ms(time));
            for (name, kind) in &columns {
                push_value(row, *kind, record.get(name));
            }
        });
    }

    /// Fixes the columns from the rows held and writes them.
    fn settle_columns(&mut self) {
        let Mode::Inferring(pending) = &mut self.mode else {
            return;
        };
        let pending = std::mem::take(pending);
        if pending.is_empty() {
            return;
        }
        let columns = infer_columns(pending.iter().map(|(_, _, record)| record));
        let mut fields = vec![time_column("time", false)];
        fields.extend(columns.iter().map(|(name, kind)| {
            let data_type = match kind {
                Kind::F64 => DataType::Float64,
                Kind::I64 => DataType::Int64,
                Kind::Bool => DataType::Boolean,
                Kind::Str => DataType::Utf8,
            };
            Field::new(name, data_type, true)
        }));
        self.open(fields);
        self.mode = Mode::Mapped(columns);
        for (time, diff, record) in &pending {
            self.write_mapped(*time, *diff, record);
        }
    }
}

impl RecordSink for ParquetStream {
    fn write(&mut self, time: Time, diff: isize, record: &dyn SinkRecord) {
        match &mut self.mode {
            Mode::Typed => self.append(diff, |row| {
                row.time_ms(ms(time));
                record.append_columns(row);
            }),
            Mode::Inferring(_) | Mode::Mapped(_) => {
                if self.writer.is_none() && matches!(self.mode, Mode::Mapped(_)) {
                    return;
                }
                self.fields.clear();
                self.fields.push('{');
                record.write_fields(&mut self.fields);
                self.fields.push('}');
                let parsed: Map<String, Value> = match serde_json::from_str(&self.fields) {
                    Ok(map) => map,
                    Err(error) => {
                        self.output
                            .fail(format!("a record is not a JSON object: {error}"));
                        return;
                    }
                };
                match &mut self.mode {
                    Mode::Inferring(pending) => pending.push((time, diff, parsed)),
                    _ => self.write_mapped(time, diff, &parsed),
                }
            }
        }
    }

    fn flush(&mut self) {
        self.settle_columns();
    }
}

impl Drop for ParquetStream {
    fn drop(&mut self) {
        self.settle_columns();
        if let Some(writer) = self.writer.take()
            && let Err(error) = writer.close()
        {
            self.output.fail(error);
        }
    }
}

fn ms(time: Time) -> i64 {
    i64::try_from(time).unwrap_or(i64::MAX)
}

/// The columns of JSON records: every field in order of first appearance,
/// typed by its first non-null value.
fn infer_columns<'a>(records: impl Iterator<Item = &'a Map<String, Value>>) -> Vec<(String, Kind)> {
    let mut columns: Vec<(String, Option<Kind>)> = Vec::new();
    for record in records {
        for (name, value) in record {
            let kind = kind_of(name, value);
            match columns.iter_mut().find(|(n, _)| n == name) {
                Some((_, slot @ None)) => *slot = kind,
                Some(_) => {}
                None => columns.push((name.clone(), kind)),
            }
        }
    }
    columns
        .into_iter()
        .map(|(name, kind)| (name, kind.unwrap_or(Kind::Str)))
        .collect()
}

fn kind_of(name: &str, value: &Value) -> Option<Kind> {
    match value {
        Value::Null => None,
        Value::Bool(_) => Some(Kind::Bool),
        Value::Number(n) if name.ends_with("_ms") && n.is_i64() => Some(Kind::I64),
        Value::Number(_) => Some(Kind::F64),
        _ => Some(Kind::Str),
    }
}

fn push_value(row: &mut RowAppender<'_>, kind: Kind, value: Option<&Value>) {
    let value = value.unwrap_or(&Value::Null);
    match kind {
        Kind::F64 => {
            row.opt_f64(match value {
                Value::Number(n) => n.as_f64(),
                // Non-finite floats are spelled as strings by some writers.
                Value::String(s) => s.parse::<f64>().ok(),
                _ => None,
            });
        }
        Kind::I64 => {
            row.opt_i64(value.as_i64());
        }
        Kind::Bool => {
            row.opt_bool(value.as_bool());
        }
        Kind::Str => match value {
            Value::Null => {
                row.null();
            }
            Value::String(s) => {
                row.str(s);
            }
            other => {
                row.str(&other.to_string());
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn columns_are_typed_by_the_first_value_that_says() {
        let records = [
            map(json!({"plant": "north", "loss_kg_h": null, "start_ms": 5, "ok": true})),
            map(json!({"plant": "north", "loss_kg_h": 1.5, "tags": ["a"]})),
        ];
        let columns = infer_columns(records.iter());
        assert_eq!(
            columns,
            vec![
                ("plant".to_owned(), Kind::Str),
                ("loss_kg_h".to_owned(), Kind::F64),
                ("start_ms".to_owned(), Kind::I64),
                ("ok".to_owned(), Kind::Bool),
                ("tags".to_owned(), Kind::Str),
            ]
        );
    }
}
