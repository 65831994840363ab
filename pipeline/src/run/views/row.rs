//! A view's rows as the records sinks write: JSON fields for the JSON
//! Lines file, the console and alert routing; typed columns for Parquet.
//!
//! A view's result is first cast to the column types sinks write
//! ([`super::plan::sink_fields`]: decimals and floats as Float64, small
//! integers widened, timestamps in milliseconds, anything else as text).
//! In JSON ([`steamflow_sql::json`]) a timestamp is its milliseconds since
//! the epoch (as the streams' own event times are), a non-finite number
//! is `null`.

use std::sync::Arc;

use steamflow_sink_parquet::RowAppender;
use steamflow_sql::datafusion::arrow::array::{AsArray, RecordBatch};
use steamflow_sql::datafusion::arrow::compute::cast;
use steamflow_sql::datafusion::arrow::datatypes::{
    DataType, Field, Float64Type, Int32Type, Int64Type, Schema, TimeUnit, TimestampMillisecondType,
    UInt32Type, UInt64Type,
};

use steamflow_sql::json::write_json_fields;

use crate::dataflow::SinkRecord;

/// A view's rows cast to the sinks' column types.
pub struct SinkBatch {
    batch: RecordBatch,
}

impl SinkBatch {
    /// Casts `rows` to `fields` (from [`super::plan::sink_fields`] of its schema).
    pub fn new(rows: &RecordBatch, fields: &[Field]) -> Result<SinkBatch, String> {
        let columns = rows
            .columns()
            .iter()
            .zip(fields)
            .map(|(column, field)| cast(column, field.data_type()).map_err(|e| e.to_string()))
            .collect::<Result<Vec<_>, _>>()?;
        let schema = Arc::new(Schema::new(fields.to_vec()));
        let batch = RecordBatch::try_new(schema, columns).map_err(|e| e.to_string())?;
        Ok(SinkBatch { batch })
    }

    /// How many rows.
    pub fn len(&self) -> usize {
        self.batch.num_rows()
    }

    /// True without rows.
    pub fn is_empty(&self) -> bool {
        self.batch.num_rows() == 0
    }

    /// Row `index` as a record.
    pub fn row(&self, index: usize) -> ViewRow<'_> {
        ViewRow {
            batch: &self.batch,
            index,
        }
    }
}

/// One row of a view's result.
pub struct ViewRow<'a> {
    batch: &'a RecordBatch,
    index: usize,
}

impl ViewRow<'_> {
    /// The row as one JSON object.
    pub fn json_object(&self) -> String {
        let mut out = String::from("{");
        self.write_fields(&mut out);
        out.push('}');
        out
    }
}

impl SinkRecord for ViewRow<'_> {
    fn write_fields(&self, out: &mut String) {
        // `SinkBatch::row` hands out rows of the batch only: never out of range.
        let _ = write_json_fields(self.batch, self.index, out);
    }

    fn append_columns(&self, row: &mut RowAppender<'_>) {
        for column in self.batch.columns() {
            let column = column.as_ref();
            let i = self.index;
            if column.is_null(i) {
                row.null();
                continue;
            }
            match column.data_type() {
                DataType::Float64 => row.f64(column.as_primitive::<Float64Type>().value(i)),
                DataType::Int64 => row.i64(column.as_primitive::<Int64Type>().value(i)),
                DataType::UInt64 => row.u64(column.as_primitive::<UInt64Type>().value(i)),
                DataType::Int32 => row.i32(column.as_primitive::<Int32Type>().value(i)),
                DataType::UInt32 => row.u32(column.as_primitive::<UInt32Type>().value(i)),
                DataType::Boolean => row.bool(column.as_boolean().value(i)),
                DataType::Utf8 => row.str(column.as_string::<i32>().value(i)),
                DataType::Timestamp(TimeUnit::Millisecond, _) => {
                    row.time_ms(column.as_primitive::<TimestampMillisecondType>().value(i))
                }
                // `SinkBatch` cast every column to one of the types above.
                _ => row.null(),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use steamflow_sql::datafusion::arrow::array::{Float32Array, StringArray};

    #[test]
    fn a_row_reads_as_json_with_sink_types() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("plant", DataType::Utf8, true),
            Field::new("pct", DataType::Float32, true),
        ]));
        let rows = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(StringArray::from(vec![Some("north \"A\""), None])),
                Arc::new(Float32Array::from(vec![Some(1.5), Some(f32::NAN)])),
            ],
        )
        .expect("a batch");
        let fields = super::super::plan::sink_fields(&schema).expect("writable");
        let batch = SinkBatch::new(&rows, &fields).expect("cast");
        assert_eq!(
            batch.row(0).json_object(),
            r#"{"plant":"north \"A\"","pct":1.5}"#
        );
        assert_eq!(batch.row(1).json_object(), r#"{"plant":null,"pct":null}"#);
    }
}
