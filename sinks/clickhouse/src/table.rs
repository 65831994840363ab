//! A stream's table as the server has it, and its rows encoded for it.
//!
//! The columns are read from `system.columns`, so that the rows fit
//! whatever the server made of the DDL (`DateTime` on old servers,
//! `DateTime64(3)` on current ones). A column takes the record field of
//! its name, except the columns the sink fills itself:
//! - `time`: the update's dataflow time (UTC milliseconds);
//! - `diff`: +1 asserts the row, -1 retracts it;
//! - `version`: `2 × time + (diff > 0)`, so that ReplacingMergeTree keeps
//!   the newest row of a key, and of one time the assertion over the
//!   retraction;
//! - `batch_id`: the batch's deduplication token (always the last column).

use clickhouse::Client;
use steamflow_sink_parquet::Value;

use crate::column::ColumnType;
use crate::error::Error;
use crate::field::{Field, Record};
use crate::typed::Capture;

/// Where a column's value comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Source {
    Time,
    Diff,
    Version,
    /// A record field; `optional` columns (Nullable, Array) take a missing
    /// field as NULL or an empty array.
    Field(String),
}

/// One column.
#[derive(Clone, Debug)]
struct Column {
    name: String,
    kind: ColumnType,
    source: Source,
}

/// A table the sink writes.
#[derive(Clone, Debug)]
pub struct Table {
    name: String,
    columns: Vec<Column>,
}

#[derive(clickhouse::Row, serde::Deserialize)]
struct ColumnRow {
    name: String,
    r#type: String,
    default_kind: String,
}

impl Table {
    /// Reads the columns of `name` from the server (the client's database).
    pub async fn load(client: &Client, name: &str) -> Result<Table, Error> {
        let rows: Vec<ColumnRow> = client
            .query(
                "SELECT name, type, default_kind FROM system.columns \
                 WHERE database = currentDatabase() AND table = ?",
            )
            .bind(name)
            .fetch_all()
            .await
            .map_err(Error::ClickHouse)?;
        let writable = rows
            .into_iter()
            .filter(|row| row.default_kind.is_empty() || row.default_kind == "DEFAULT")
            .map(|row| (row.name, row.r#type));
        Table::from_columns(name, writable)
    }

    /// A table of these `(name, type)` columns.
    pub fn from_columns(
        name: &str,
        columns: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Table, Error> {
        let error = |reason: String| Error::Table {
            table: name.to_owned(),
            reason,
        };
        let mut out = Vec::new();
        for (column, type_name) in columns {
            let kind = ColumnType::parse(&type_name).ok_or_else(|| {
                error(format!(
                    "column `{column}` has type {type_name}, which the sink cannot write"
                ))
            })?;
            let source = match column.as_str() {
                "time" => Source::Time,
                "diff" => Source::Diff,
                "version" => Source::Version,
                _ => Source::Field(column.clone()),
            };
            out.push(Column {
                name: column,
                kind,
                source,
            });
        }
        match out.pop() {
            Some(last) if last.name == "batch_id" && last.kind == ColumnType::String => {}
            _ if out.is_empty() => return Err(error("does not exist".into())),
            _ => return Err(error("its last column must be `batch_id String`".into())),
        }
        Ok(Table {
            name: name.to_owned(),
            columns: out,
        })
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its `(name, type)` columns, `batch_id` included.
    pub fn columns(&self) -> Vec<(String, String)> {
        let mut columns: Vec<(String, String)> = self
            .columns
            .iter()
            .map(|column| (column.name.clone(), column.kind.type_name()))
            .collect();
        columns.push(("batch_id".into(), "String".into()));
        columns
    }

    /// Where each column takes its value in a typed row of `fields`
    /// (by field index; `None` for the columns the sink fills and for
    /// optional columns the row lacks). `Err` names a column that needs
    /// a field the rows do not have.
    pub(crate) fn layout(&self, fields: &[String]) -> Result<Vec<Option<usize>>, Error> {
        self.columns
            .iter()
            .map(|column| match &column.source {
                Source::Field(name) => match fields.iter().position(|f| f == name) {
                    Some(index) => Ok(Some(index)),
                    None if matches!(
                        column.kind,
                        ColumnType::Nullable(_) | ColumnType::Array(_)
                    ) =>
                    {
                        Ok(None)
                    }
                    None => Err(Error::Table {
                        table: self.name.clone(),
                        reason: format!(
                            "column `{}` has no field of its name in the rows",
                            column.name
                        ),
                    }),
                },
                _ => Ok(None),
            })
            .collect()
    }

    /// As [`encode`](Self::encode), from a typed row captured with
    /// the fields `layout` was made for.
    pub(crate) fn encode_typed(
        &self,
        time_ms: u64,
        diff: i64,
        row: &Capture,
        layout: &[Option<usize>],
        out: &mut Vec<u8>,
    ) -> Result<(), String> {
        let start = out.len();
        let result = self.encode_typed_inner(time_ms, diff, row, layout, out);
        if result.is_err() {
            out.truncate(start);
        }
        result
    }

    fn encode_typed_inner(
        &self,
        time_ms: u64,
        diff: i64,
        row: &Capture,
        layout: &[Option<usize>],
        out: &mut Vec<u8>,
    ) -> Result<(), String> {
        let time = i64::try_from(time_ms).map_err(|_| format!("time {time_ms} is too large"))?;
        for (column, slot) in self.columns.iter().zip(layout) {
            let encoded = match (&column.source, slot) {
                (Source::Time, _) => column.kind.encode_time_ms(time, out),
                (Source::Diff, _) => column.kind.encode_typed(Value::I64(diff), out),
                (Source::Version, _) => {
                    let version = time_ms
                        .checked_mul(2)
                        .map(|v| v + u64::from(diff > 0))
                        .ok_or_else(|| format!("time {time_ms} is too large"))?;
                    column.kind.encode_typed(Value::U64(version), out)
                }
                (Source::Field(_), Some(index)) => column.kind.encode_typed(row.get(*index), out),
                (Source::Field(_), None) => match &column.kind {
                    ColumnType::Array(_) => {
                        crate::column::put_len(out, 0);
                        Ok(())
                    }
                    _ => column.kind.encode_typed(Value::Null, out),
                },
            };
            encoded.map_err(|reason| format!("column `{}`: {reason}", column.name))?;
        }
        Ok(())
    }

    /// Appends one row, without its `batch_id`, from a record's fields;
    /// on error `out` is left as it was and the reason returned.
    pub fn encode(
        &self,
        time_ms: u64,
        diff: i64,
        fields: &Record<'_>,
        out: &mut Vec<u8>,
    ) -> Result<(), String> {
        let start = out.len();
        let result = self.encode_inner(time_ms, diff, fields, out);
        if result.is_err() {
            out.truncate(start);
        }
        result
    }

    fn encode_inner(
        &self,
        time_ms: u64,
        diff: i64,
        fields: &Record<'_>,
        out: &mut Vec<u8>,
    ) -> Result<(), String> {
        let time = i64::try_from(time_ms).map_err(|_| format!("time {time_ms} is too large"))?;
        let mut hint = 0;
        for column in &self.columns {
            let encoded = match &column.source {
                Source::Time => column.kind.encode_time_ms(time, out),
                Source::Diff => column.kind.encode(&Field::I64(diff), out),
                Source::Version => {
                    let version = time_ms
                        .checked_mul(2)
                        .map(|v| v + u64::from(diff > 0))
                        .ok_or_else(|| format!("time {time_ms} is too large"))?;
                    column.kind.encode(&Field::U64(version), out)
                }
                Source::Field(name) => match fields.get(name, &mut hint) {
                    Some(value) => column.kind.encode(value, out),
                    None => match &column.kind {
                        ColumnType::Nullable(_) => column.kind.encode(&Field::Null, out),
                        ColumnType::Array(_) => column.kind.encode(&Field::Array(Vec::new()), out),
                        _ => Err("the record has no such field".into()),
                    },
                },
            };
            encoded.map_err(|reason| format!("column `{}`: {reason}", column.name))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(value: &serde_json::Value) -> Record<'_> {
        Record::from_map(value.as_object().unwrap())
    }

    fn table() -> Table {
        let columns = [
            ("time", "DateTime64(3, 'UTC')"),
            ("plant", "LowCardinality(String)"),
            ("size", "Nullable(Float64)"),
            ("tags", "Array(String)"),
            ("diff", "Int8"),
            ("version", "UInt64"),
            ("batch_id", "String"),
        ];
        Table::from_columns("t", columns.map(|(n, t)| (n.to_owned(), t.to_owned()))).unwrap()
    }

    #[test]
    fn rows_take_fields_by_name_and_missing_optional_ones_as_empty() {
        let fields = json!({"plant": "p", "extra": 1});
        let mut out = Vec::new();
        table()
            .encode(1000, -1, &record(&fields), &mut out)
            .unwrap();
        let mut expected = 1000i64.to_le_bytes().to_vec();
        expected.extend([1, b'p', 1, 0, 0xff]);
        expected.extend(2000u64.to_le_bytes());
        assert_eq!(out, expected);
    }

    #[test]
    fn a_row_that_does_not_fit_leaves_no_bytes() {
        let fields = json!({"plant": 3});
        let mut out = vec![7];
        let error = table()
            .encode(0, 1, &record(&fields), &mut out)
            .unwrap_err();
        assert!(error.contains("plant"), "{error}");
        assert_eq!(out, [7]);
    }

    #[test]
    fn a_table_must_end_with_batch_id() {
        let columns = [("time".to_owned(), "DateTime".to_owned())];
        assert!(Table::from_columns("t", columns).is_err());
    }
}
