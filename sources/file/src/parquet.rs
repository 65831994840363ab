//! Parquet: record batches from the arrow reader, decoded column-wise.
//!
//! Columns are found by name (the CSV names and aliases). Accepted types:
//! `time` a timestamp of any unit and zone (stored as UTC, so the zone only
//! labels it), an integer of epoch ms or RFC 3339 text; `value` any numeric
//! type or text; `quality` text or an integer status code; names text
//! (plain, large, view or dictionary-encoded). Nulls: no time or tag → dead
//! letter; no value → NaN; no quality → good; no unit → none.

use std::any::Any;
use std::fs::File;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::vec;

use arrow::array::{Array, ArrayRef, AsArray, Int64Array, StringArray};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Float64Type, Int64Type, Schema, TimeUnit};
use arrow::error::ArrowError;
use arrow::record_batch::RecordBatch;
use arrow::util::display::{ArrayFormatter, FormatOptions};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::errors::ParquetError;
use steamflow_operators::reading::{Quality, Reading};

use crate::dead_letter::{DeadLetter, Location, Reason, record_text};
use crate::error::{OpenError, ReplayError};
use crate::fields::{Fields, parse_quality, parse_time, parse_value, quality_of_status};

/// Rows per record batch read.
const BATCH_ROWS: usize = 8192;

const TIME_NAMES: &[&str] = &["time", "timestamp", "time_ms"];
const PLANT_NAMES: &[&str] = &["plant", "plant_id"];
const TAG_NAMES: &[&str] = &["tag", "point", "point_id"];
const VALUE_NAMES: &[&str] = &["value"];
const QUALITY_NAMES: &[&str] = &["quality", "status"];
const UNIT_NAMES: &[&str] = &["unit", "units"];

/// How the time column is stored.
#[derive(Clone, Copy)]
enum TimeKind {
    /// Integers in this unit (a timestamp column, or epoch ms as Int64).
    Integer(TimeUnit),
    /// RFC 3339 (or epoch ms digits) as text.
    Text,
}

/// How a value or quality column is stored.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Number,
    Text,
}

/// The columns found, by their names in the file.
struct Columns {
    time: (String, TimeKind),
    plant: Option<String>,
    tag: String,
    value: (String, Kind),
    quality: Option<(String, Kind)>,
    unit: Option<String>,
}

/// Reads a Parquet file record batch by record batch.
pub(crate) struct ParquetDecoder {
    path: PathBuf,
    reader: ParquetRecordBatchReader,
    columns: Columns,
    fields: Fields,
    decoded: vec::IntoIter<Result<Reading, DeadLetter>>,
    rows_read: u64,
    total_rows: u64,
}

impl ParquetDecoder {
    pub(crate) fn open(path: &Path, file: File, fields: Fields) -> Result<Self, OpenError> {
        match catch_unwind(AssertUnwindSafe(|| {
            Self::open_unguarded(path, file, fields)
        })) {
            Ok(opened) => opened,
            Err(panic) => Err(OpenError::Parquet {
                path: path.to_path_buf(),
                source: ParquetError::General(panic_text(panic.as_ref())),
            }),
        }
    }

    fn open_unguarded(path: &Path, file: File, fields: Fields) -> Result<Self, OpenError> {
        let parquet_error = |source| OpenError::Parquet {
            path: path.to_path_buf(),
            source,
        };
        // The embedded arrow schema is kept: it restores types Parquet lacks
        // (second timestamps, zones). A damaged one can panic its decoder,
        // which `open` catches.
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(parquet_error)?;
        let schema = builder.schema().clone();
        let columns = Columns::find(path, &schema, &fields)?;
        let wanted = columns.names();
        let roots = schema
            .fields()
            .iter()
            .enumerate()
            .filter(|(_, field)| wanted.contains(&field.name().as_str()))
            .map(|(i, _)| i);
        let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
        let total_rows = u64::try_from(builder.metadata().file_metadata().num_rows()).unwrap_or(0);
        let reader = builder
            .with_projection(mask)
            .with_batch_size(BATCH_ROWS)
            .build()
            .map_err(parquet_error)?;
        Ok(Self {
            path: path.to_path_buf(),
            reader,
            columns,
            fields,
            decoded: Vec::new().into_iter(),
            rows_read: 0,
            total_rows,
        })
    }

    /// The next row, `None` at the end of the file.
    pub(crate) fn next(&mut self) -> Result<Option<Result<Reading, DeadLetter>>, ReplayError> {
        loop {
            if let Some(row) = self.decoded.next() {
                return Ok(Some(row));
            }
            // The Parquet decoder trusts page headers more than it should:
            // a damaged file can panic it. A panic here ends this file's
            // replay with an error instead of ending the process.
            let step = catch_unwind(AssertUnwindSafe(|| self.next_batch()))
                .unwrap_or_else(|panic| Err(ArrowError::ParquetError(panic_text(panic.as_ref()))));
            match step {
                Ok(Some(rows)) => self.decoded = rows.into_iter(),
                Ok(None) => return Ok(None),
                Err(source) => return Err(self.arrow_error(source)),
            }
        }
    }

    /// The rows of the next record batch, decoded.
    #[allow(clippy::type_complexity)]
    fn next_batch(&mut self) -> Result<Option<Vec<Result<Reading, DeadLetter>>>, ArrowError> {
        let Some(batch) = self.reader.next() else {
            return Ok(None);
        };
        let batch = batch?;
        let rows = self.decode_batch(&batch)?;
        self.rows_read += batch.num_rows() as u64;
        Ok(Some(rows))
    }

    /// Rows decoded so far.
    pub(crate) fn position(&self) -> u64 {
        self.rows_read
    }

    /// Rows in the file.
    pub(crate) fn total_rows(&self) -> u64 {
        self.total_rows
    }

    fn arrow_error(&self, source: ArrowError) -> ReplayError {
        ReplayError::Arrow {
            path: self.path.clone(),
            source,
        }
    }

    fn decode_batch(
        &mut self,
        batch: &RecordBatch,
    ) -> Result<Vec<Result<Reading, DeadLetter>>, ArrowError> {
        let c = &self.columns;
        let time = TimeColumn::new(column(batch, &c.time.0)?, c.time.1)?;
        let plant = c
            .plant
            .as_ref()
            .map(|n| text_column(batch, n))
            .transpose()?;
        let tag = text_column(batch, &c.tag)?;
        let value = ValueColumn::new(column(batch, &c.value.0)?, c.value.1)?;
        let quality = c
            .quality
            .as_ref()
            .map(|(n, kind)| QualityColumn::new(column(batch, n)?, *kind))
            .transpose()?;
        let unit = c.unit.as_ref().map(|n| text_column(batch, n)).transpose()?;
        let mut rows = Vec::with_capacity(batch.num_rows());
        for i in 0..batch.num_rows() {
            let row = self.reading(
                i,
                &time,
                plant.as_ref(),
                &tag,
                &value,
                quality.as_ref(),
                unit.as_ref(),
            );
            rows.push(row.map_err(|reason| DeadLetter {
                location: Location::Row(self.rows_read + i as u64 + 1),
                reason,
                record: describe_row(batch, i),
            }));
        }
        Ok(rows)
    }

    #[allow(clippy::too_many_arguments)]
    fn reading(
        &mut self,
        i: usize,
        time: &TimeColumn,
        plant: Option<&StringArray>,
        tag: &StringArray,
        value: &ValueColumn,
        quality: Option<&QualityColumn>,
        unit: Option<&StringArray>,
    ) -> Result<Reading, Reason> {
        Ok(Reading {
            time_ms: time.get(i)?,
            plant: self.fields.plant(plant.and_then(|a| text_at(a, i)))?,
            tag: self.fields.tag(text_at(tag, i))?,
            value: value.get(i)?,
            quality: quality.map_or(Ok(Quality::Good), |q| q.get(i))?,
            unit: self.fields.unit(unit.and_then(|a| text_at(a, i)))?,
        })
    }
}

impl Columns {
    fn find(path: &Path, schema: &Schema, fields: &Fields) -> Result<Self, OpenError> {
        let find = |aliases: &[&str]| {
            schema
                .fields()
                .iter()
                .find(|f| aliases.contains(&f.name().to_ascii_lowercase().as_str()))
                .map(|f| (f.name().clone(), f.data_type().clone()))
        };
        let missing = |column: &'static str, hint: &'static str| OpenError::MissingColumn {
            path: path.to_path_buf(),
            column,
            hint,
        };
        let wrong = |column: &'static str, found: &DataType, expected: &'static str| {
            OpenError::ColumnType {
                path: path.to_path_buf(),
                column,
                found: found.to_string(),
                expected,
            }
        };
        let text = |column: &'static str, found: Option<(String, DataType)>| match found {
            Some((name, dt)) if is_text(&dt) => Ok(Some(name)),
            Some((_, dt)) => Err(wrong(column, &dt, "text")),
            None => Ok(None),
        };

        let (time_name, time_type) = find(TIME_NAMES).ok_or_else(|| missing("time", ""))?;
        let time_kind = match &time_type {
            DataType::Timestamp(unit, _) => TimeKind::Integer(*unit),
            dt if dt.is_integer() => TimeKind::Integer(TimeUnit::Millisecond),
            dt if is_text(dt) => TimeKind::Text,
            dt => {
                return Err(wrong(
                    "time",
                    dt,
                    "a timestamp, epoch ms as an integer, or RFC 3339 text",
                ));
            }
        };
        let (value_name, value_type) = find(VALUE_NAMES).ok_or_else(|| missing("value", ""))?;
        let value_kind = number_or_text(&value_type)
            .ok_or_else(|| wrong("value", &value_type, "a number or text"))?;
        let quality = match find(QUALITY_NAMES) {
            Some((name, dt)) => match dt {
                ref dt if is_text(dt) => Some((name, Kind::Text)),
                ref dt if dt.is_integer() => Some((name, Kind::Number)),
                dt => return Err(wrong("quality", &dt, "text or an integer status code")),
            },
            None => None,
        };
        let plant = text("plant", find(PLANT_NAMES))?;
        if plant.is_none() && !fields.has_default_plant() {
            return Err(missing("plant", ", and the source names no default plant"));
        }
        Ok(Self {
            time: (time_name, time_kind),
            plant,
            tag: text("tag", find(TAG_NAMES))?.ok_or_else(|| missing("tag", ""))?,
            value: (value_name, value_kind),
            quality,
            unit: text("unit", find(UNIT_NAMES))?,
        })
    }

    fn names(&self) -> Vec<&str> {
        let mut names = vec![
            self.time.0.as_str(),
            self.tag.as_str(),
            self.value.0.as_str(),
        ];
        names.extend(self.plant.as_deref());
        names.extend(self.quality.as_ref().map(|(n, _)| n.as_str()));
        names.extend(self.unit.as_deref());
        names
    }
}

fn is_text(data_type: &DataType) -> bool {
    match data_type {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(_, values) => is_text(values),
        _ => false,
    }
}

fn number_or_text(data_type: &DataType) -> Option<Kind> {
    if data_type.is_numeric() {
        Some(Kind::Number)
    } else if is_text(data_type) {
        Some(Kind::Text)
    } else {
        None
    }
}

fn column<'b>(batch: &'b RecordBatch, name: &str) -> Result<&'b ArrayRef, ArrowError> {
    batch
        .column_by_name(name)
        .ok_or_else(|| ArrowError::SchemaError(format!("column `{name}` vanished from a batch")))
}

/// A text column as plain `Utf8`, cast if stored otherwise.
fn text_column(batch: &RecordBatch, name: &str) -> Result<StringArray, ArrowError> {
    as_utf8(column(batch, name)?)
}

fn as_utf8(array: &ArrayRef) -> Result<StringArray, ArrowError> {
    let cast_array;
    let array = if array.data_type() == &DataType::Utf8 {
        array
    } else {
        cast_array = cast(array, &DataType::Utf8)?;
        &cast_array
    };
    array
        .as_string_opt::<i32>()
        .cloned()
        .ok_or_else(|| ArrowError::CastError(format!("{} is not text", array.data_type())))
}

fn text_at(array: &StringArray, i: usize) -> Option<&[u8]> {
    (i < array.len() && array.is_valid(i)).then(|| array.value(i).as_bytes())
}

enum TimeColumn {
    Integer(Int64Array, TimeUnit),
    Text(StringArray),
}

impl TimeColumn {
    fn new(array: &ArrayRef, kind: TimeKind) -> Result<Self, ArrowError> {
        Ok(match kind {
            TimeKind::Integer(unit) => {
                let ints = cast(array, &DataType::Int64)?;
                let ints = ints
                    .as_primitive_opt::<Int64Type>()
                    .cloned()
                    .ok_or_else(|| ArrowError::CastError("time is not an integer".into()))?;
                TimeColumn::Integer(ints, unit)
            }
            TimeKind::Text => TimeColumn::Text(as_utf8(array)?),
        })
    }

    fn get(&self, i: usize) -> Result<i64, Reason> {
        match self {
            TimeColumn::Integer(ints, unit) => {
                if i >= ints.len() || ints.is_null(i) {
                    return Err(Reason::MissingField("time"));
                }
                let raw = ints.value(i);
                let ms = match unit {
                    TimeUnit::Second => raw.checked_mul(1000),
                    TimeUnit::Millisecond => Some(raw),
                    TimeUnit::Microsecond => Some(raw.div_euclid(1000)),
                    TimeUnit::Nanosecond => Some(raw.div_euclid(1_000_000)),
                };
                ms.ok_or_else(|| Reason::BadTime(format!("{raw} s")))
            }
            TimeColumn::Text(texts) => match text_at(texts, i) {
                Some(text) => parse_time(text),
                None => Err(Reason::MissingField("time")),
            },
        }
    }
}

enum ValueColumn {
    Number(arrow::array::Float64Array),
    Text(StringArray),
}

impl ValueColumn {
    fn new(array: &ArrayRef, kind: Kind) -> Result<Self, ArrowError> {
        Ok(match kind {
            Kind::Number => {
                let floats = cast(array, &DataType::Float64)?;
                ValueColumn::Number(
                    floats
                        .as_primitive_opt::<Float64Type>()
                        .cloned()
                        .ok_or_else(|| ArrowError::CastError("value is not a number".into()))?,
                )
            }
            Kind::Text => ValueColumn::Text(as_utf8(array)?),
        })
    }

    /// The value; a null is NaN, as an empty CSV field is.
    fn get(&self, i: usize) -> Result<f64, Reason> {
        match self {
            ValueColumn::Number(floats) => Ok(if i < floats.len() && floats.is_valid(i) {
                floats.value(i)
            } else {
                f64::NAN
            }),
            ValueColumn::Text(texts) => text_at(texts, i).map_or(Ok(f64::NAN), parse_value),
        }
    }
}

enum QualityColumn {
    Code(Int64Array),
    Text(StringArray),
}

impl QualityColumn {
    fn new(array: &ArrayRef, kind: Kind) -> Result<Self, ArrowError> {
        Ok(match kind {
            Kind::Number => {
                let ints = cast(array, &DataType::Int64)?;
                QualityColumn::Code(
                    ints.as_primitive_opt::<Int64Type>()
                        .cloned()
                        .ok_or_else(|| ArrowError::CastError("quality is not an integer".into()))?,
                )
            }
            Kind::Text => QualityColumn::Text(as_utf8(array)?),
        })
    }

    /// The quality; a null is good, as an empty CSV field is.
    fn get(&self, i: usize) -> Result<Quality, Reason> {
        match self {
            QualityColumn::Code(codes) => {
                if i < codes.len() && codes.is_valid(i) {
                    quality_of_status(codes.value(i))
                } else {
                    Ok(Quality::Good)
                }
            }
            QualityColumn::Text(texts) => parse_quality(text_at(texts, i)),
        }
    }
}

/// The message of a caught panic.
fn panic_text(panic: &(dyn Any + Send)) -> String {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown cause".to_owned());
    format!("the Parquet decoder failed on damaged data: {message}")
}

/// `name=value, …` of one row, for its dead letter.
fn describe_row(batch: &RecordBatch, i: usize) -> String {
    let options = FormatOptions::default().with_null("null");
    let schema = batch.schema();
    let parts: Vec<String> = schema
        .fields()
        .iter()
        .zip(batch.columns())
        .map(|(field, array)| {
            let value = ArrayFormatter::try_new(array.as_ref(), &options)
                .map(|f| f.value(i).to_string())
                .unwrap_or_else(|_| "?".to_owned());
            format!("{}={value}", field.name())
        })
        .collect();
    record_text(parts.join(", ").as_bytes())
}
