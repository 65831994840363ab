//! Arrow rows as JSON, for the sinks and APIs that speak JSON (JSON Lines
//! files, alert channels, the HTTP API).
//!
//! Each column becomes a field of the same name. Numbers stay numbers;
//! NaN and ±∞, which JSON cannot hold, become `null`, as does SQL NULL.
//! Timestamps (any unit, any zone) and dates become integer milliseconds
//! since the Unix epoch and durations integer milliseconds — the `*_ms`
//! convention of the other streams; decimals become numbers. Other types
//! (lists, structs, binary) are written as their display text.

use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{
    DataType, Date32Type, Date64Type, Decimal128Type, DurationMicrosecondType,
    DurationMillisecondType, DurationNanosecondType, DurationSecondType, Float16Type, Float32Type,
    Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, TimeUnit, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt8Type, UInt16Type,
    UInt32Type, UInt64Type,
};
use datafusion::arrow::error::ArrowError;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use serde_json::{Map, Number, Value};

/// Milliseconds per day.
const DAY_MS: i64 = 86_400_000;

/// Appends row `row` of `batch` as JSON object fields — `"col":value`
/// separated by commas, without braces — so that a caller can add fields
/// of its own around them. An out-of-range row is an error.
pub fn write_json_fields(
    batch: &RecordBatch,
    row: usize,
    out: &mut String,
) -> Result<(), ArrowError> {
    check_row(batch, row)?;
    for (index, (field, column)) in batch
        .schema()
        .fields()
        .iter()
        .zip(batch.columns())
        .enumerate()
    {
        if index > 0 {
            out.push(',');
        }
        out.push_str(&Value::String(field.name().clone()).to_string());
        out.push(':');
        out.push_str(&json_value(column.as_ref(), row).to_string());
    }
    Ok(())
}

/// Row `row` of `batch` as a JSON object, fields in column order.
pub fn json_row(batch: &RecordBatch, row: usize) -> Result<Map<String, Value>, ArrowError> {
    check_row(batch, row)?;
    Ok(batch
        .schema()
        .fields()
        .iter()
        .zip(batch.columns())
        .map(|(field, column)| (field.name().clone(), json_value(column.as_ref(), row)))
        .collect())
}

/// Every row of `batches` as JSON objects.
pub fn json_rows(batches: &[RecordBatch]) -> Result<Vec<Map<String, Value>>, ArrowError> {
    let mut rows = Vec::with_capacity(batches.iter().map(RecordBatch::num_rows).sum());
    for batch in batches {
        for row in 0..batch.num_rows() {
            rows.push(json_row(batch, row)?);
        }
    }
    Ok(rows)
}

fn check_row(batch: &RecordBatch, row: usize) -> Result<(), ArrowError> {
    if row < batch.num_rows() {
        return Ok(());
    }
    Err(ArrowError::InvalidArgumentError(format!(
        "row {row} of a batch of {} rows",
        batch.num_rows()
    )))
}

/// The value at `row` of `array`; null past its end.
fn json_value(array: &dyn Array, row: usize) -> Value {
    if row >= array.len() || array.is_null(row) {
        return Value::Null;
    }
    match array.data_type() {
        DataType::Boolean => Value::Bool(array.as_boolean().value(row)),
        DataType::Int8 => array.as_primitive::<Int8Type>().value(row).into(),
        DataType::Int16 => array.as_primitive::<Int16Type>().value(row).into(),
        DataType::Int32 => array.as_primitive::<Int32Type>().value(row).into(),
        DataType::Int64 => array.as_primitive::<Int64Type>().value(row).into(),
        DataType::UInt8 => array.as_primitive::<UInt8Type>().value(row).into(),
        DataType::UInt16 => array.as_primitive::<UInt16Type>().value(row).into(),
        DataType::UInt32 => array.as_primitive::<UInt32Type>().value(row).into(),
        DataType::UInt64 => array.as_primitive::<UInt64Type>().value(row).into(),
        DataType::Float16 => float(array.as_primitive::<Float16Type>().value(row).to_f64()),
        DataType::Float32 => float(f64::from(array.as_primitive::<Float32Type>().value(row))),
        DataType::Float64 => float(array.as_primitive::<Float64Type>().value(row)),
        DataType::Utf8 => Value::String(array.as_string::<i32>().value(row).to_owned()),
        DataType::LargeUtf8 => Value::String(array.as_string::<i64>().value(row).to_owned()),
        DataType::Utf8View => Value::String(array.as_string_view().value(row).to_owned()),
        DataType::Timestamp(unit, _) => {
            let ms = match unit {
                TimeUnit::Second => array
                    .as_primitive::<TimestampSecondType>()
                    .value(row)
                    .saturating_mul(1_000),
                TimeUnit::Millisecond => {
                    array.as_primitive::<TimestampMillisecondType>().value(row)
                }
                TimeUnit::Microsecond => array
                    .as_primitive::<TimestampMicrosecondType>()
                    .value(row)
                    .div_euclid(1_000),
                TimeUnit::Nanosecond => array
                    .as_primitive::<TimestampNanosecondType>()
                    .value(row)
                    .div_euclid(1_000_000),
            };
            ms.into()
        }
        DataType::Duration(unit) => {
            let ms = match unit {
                TimeUnit::Second => array
                    .as_primitive::<DurationSecondType>()
                    .value(row)
                    .saturating_mul(1_000),
                TimeUnit::Millisecond => array.as_primitive::<DurationMillisecondType>().value(row),
                TimeUnit::Microsecond => array
                    .as_primitive::<DurationMicrosecondType>()
                    .value(row)
                    .div_euclid(1_000),
                TimeUnit::Nanosecond => array
                    .as_primitive::<DurationNanosecondType>()
                    .value(row)
                    .div_euclid(1_000_000),
            };
            ms.into()
        }
        DataType::Date32 => {
            (i64::from(array.as_primitive::<Date32Type>().value(row)) * DAY_MS).into()
        }
        DataType::Date64 => array.as_primitive::<Date64Type>().value(row).into(),
        DataType::Decimal128(_, scale) => {
            let unscaled = array.as_primitive::<Decimal128Type>().value(row) as f64;
            float(unscaled / 10f64.powi(i32::from(*scale)))
        }
        _ => display(array, row),
    }
}

/// A finite float as a number; NaN and ±∞ as null.
fn float(value: f64) -> Value {
    Number::from_f64(value).map_or(Value::Null, Value::Number)
}

/// The value as Arrow displays it.
fn display(array: &dyn Array, row: usize) -> Value {
    match ArrayFormatter::try_new(array, &FormatOptions::default()) {
        Ok(formatter) => Value::String(formatter.value(row).to_string()),
        Err(_) => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{
        BooleanArray, Date32Array, Float64Array, Int64Array, ListArray, StringArray,
        TimestampMillisecondArray, TimestampNanosecondArray,
    };
    use datafusion::arrow::datatypes::{Field, Int32Type, Schema};

    use super::*;

    fn batch() -> RecordBatch {
        let list = ListArray::from_iter_primitive::<Int32Type, _, _>(vec![
            Some(vec![Some(1), Some(2)]),
            None,
        ]);
        let columns: Vec<Arc<dyn Array>> = vec![
            Arc::new(
                TimestampMillisecondArray::from(vec![Some(60_000), None]).with_timezone("UTC"),
            ),
            Arc::new(TimestampNanosecondArray::from(vec![
                Some(1_500_000_000),
                Some(-1),
            ])),
            Arc::new(StringArray::from(vec![Some("north \"A\""), Some("b\\")])),
            Arc::new(Float64Array::from(vec![Some(1.5), Some(f64::NAN)])),
            Arc::new(Float64Array::from(vec![Some(f64::INFINITY), None])),
            Arc::new(Int64Array::from(vec![Some(-3), Some(i64::MAX)])),
            Arc::new(BooleanArray::from(vec![Some(true), None])),
            Arc::new(Date32Array::from(vec![Some(1), Some(-1)])),
            Arc::new(list),
        ];
        let fields: Vec<Field> = [
            "time", "at_ns", "plant", "mean", "inf", "n", "ok", "day", "list",
        ]
        .iter()
        .zip(&columns)
        .map(|(name, column)| Field::new(*name, column.data_type().clone(), true))
        .collect();
        RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap()
    }

    #[test]
    fn writes_fields_without_braces() {
        let batch = batch();
        let mut out = String::from("{\"stream\":\"v\",");
        write_json_fields(&batch, 0, &mut out).unwrap();
        out.push('}');
        assert_eq!(
            out,
            r#"{"stream":"v","time":60000,"at_ns":1500,"plant":"north \"A\"","mean":1.5,"inf":null,"n":-3,"ok":true,"day":86400000,"list":"[1, 2]"}"#
        );
        let parsed: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(parsed["plant"], "north \"A\"");
    }

    #[test]
    fn non_finite_numbers_and_nulls_become_null() {
        let batch = batch();
        let mut out = String::new();
        write_json_fields(&batch, 1, &mut out).unwrap();
        assert_eq!(
            out,
            r#""time":null,"at_ns":-1,"plant":"b\\","mean":null,"inf":null,"n":9223372036854775807,"ok":null,"day":-86400000,"list":null"#
        );
        let row = json_row(&batch, 1).unwrap();
        assert_eq!(row.keys().next().map(String::as_str), Some("time"));
        assert_eq!(row["n"], i64::MAX);
    }

    #[test]
    fn a_row_out_of_range_is_an_error() {
        let mut out = String::new();
        assert!(write_json_fields(&batch(), 2, &mut out).is_err());
        assert!(out.is_empty());
        assert!(json_row(&batch(), 9).is_err());
    }
}
