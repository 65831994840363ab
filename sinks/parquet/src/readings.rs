//! Historian Parquet files of raw readings, the form the file source replays.

use std::path::PathBuf;

use arrow::datatypes::{DataType, Field, TimeUnit};
use steamflow_operators::reading::Reading;

use crate::{ParquetRow, ParquetWriter, RowAppender, SinkError};

/// The columns of a reading: `time` (Timestamp ms, UTC), `plant`, `tag`,
/// `value` (Float64; NaN and ±∞ kept), `quality` (`good`/`uncertain`/`bad`)
/// and `unit` (null when the reading has none) — the CSV layout, typed.
pub fn reading_fields() -> Vec<Field> {
    vec![
        Field::new(
            "time",
            DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
            false,
        ),
        Field::new("plant", DataType::Utf8, false),
        Field::new("tag", DataType::Utf8, false),
        Field::new("value", DataType::Float64, false),
        Field::new("quality", DataType::Utf8, false),
        Field::new("unit", DataType::Utf8, true),
    ]
}

impl ParquetRow for Reading {
    fn fields() -> Vec<Field> {
        reading_fields()
    }

    fn append(&self, row: &mut RowAppender<'_>) {
        row.time_ms(self.time_ms)
            .str(self.plant.as_str())
            .str(self.tag.as_str())
            .f64(self.value)
            .str(self.quality.as_str())
            .opt_str(self.unit.as_ref().map(|unit| unit.as_str()));
    }
}

/// Writes `readings` to a new historian Parquet file at `path` (no `diff`
/// column); returns how many were written. For a run too long to hold in
/// memory, use `ParquetWriter::<Reading>::create_without_diff` and push batches.
pub fn write_readings<'r>(
    path: impl Into<PathBuf>,
    readings: impl IntoIterator<Item = &'r Reading>,
) -> Result<u64, SinkError> {
    let mut writer = ParquetWriter::<Reading>::create_without_diff(path)?;
    writer.push_all(readings)?;
    writer.close()
}
