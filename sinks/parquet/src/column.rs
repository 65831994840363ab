//! One arrow builder per column, chosen from the column's declared type.

use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanBuilder, Float64Builder, Int32Builder, Int64Builder, StringBuilder,
    TimestampMillisecondBuilder, UInt32Builder, UInt64Builder,
};
use arrow::datatypes::{DataType, Field, TimeUnit};

use crate::SinkError;

/// The builder of one column. An enum rather than `dyn ArrayBuilder`: a push
/// is one match, with no downcast.
pub(crate) enum Column {
    F64(Float64Builder),
    I64(Int64Builder),
    U64(UInt64Builder),
    I32(Int32Builder),
    U32(UInt32Builder),
    Bool(BooleanBuilder),
    Str(StringBuilder),
    TimeMs(TimestampMillisecondBuilder),
}

impl Column {
    /// The builder for a field, or why the field's type is not supported.
    pub(crate) fn for_field(field: &Field) -> Result<Self, SinkError> {
        Ok(match field.data_type() {
            DataType::Float64 => Column::F64(Float64Builder::new()),
            DataType::Int64 => Column::I64(Int64Builder::new()),
            DataType::UInt64 => Column::U64(UInt64Builder::new()),
            DataType::Int32 => Column::I32(Int32Builder::new()),
            DataType::UInt32 => Column::U32(UInt32Builder::new()),
            DataType::Boolean => Column::Bool(BooleanBuilder::new()),
            DataType::Utf8 => Column::Str(StringBuilder::new()),
            DataType::Timestamp(TimeUnit::Millisecond, zone) => {
                Column::TimeMs(TimestampMillisecondBuilder::new().with_timezone_opt(zone.clone()))
            }
            other => {
                return Err(SinkError::UnsupportedType {
                    column: field.name().clone(),
                    data_type: other.to_string(),
                });
            }
        })
    }

    /// Appends a null, whatever the type.
    pub(crate) fn append_null(&mut self) {
        match self {
            Column::F64(b) => b.append_null(),
            Column::I64(b) => b.append_null(),
            Column::U64(b) => b.append_null(),
            Column::I32(b) => b.append_null(),
            Column::U32(b) => b.append_null(),
            Column::Bool(b) => b.append_null(),
            Column::Str(b) => b.append_null(),
            Column::TimeMs(b) => b.append_null(),
        }
    }

    /// The values appended so far, as an array; the builder starts empty again.
    pub(crate) fn finish(&mut self) -> ArrayRef {
        match self {
            Column::F64(b) => Arc::new(b.finish()),
            Column::I64(b) => Arc::new(b.finish()),
            Column::U64(b) => Arc::new(b.finish()),
            Column::I32(b) => Arc::new(b.finish()),
            Column::U32(b) => Arc::new(b.finish()),
            Column::Bool(b) => Arc::new(b.finish()),
            Column::Str(b) => Arc::new(b.finish()),
            Column::TimeMs(b) => Arc::new(b.finish()),
        }
    }

    /// The name of the Rust value this column takes, for error messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Column::F64(_) => "f64",
            Column::I64(_) => "i64",
            Column::U64(_) => "u64",
            Column::I32(_) => "i32",
            Column::U32(_) => "u32",
            Column::Bool(_) => "bool",
            Column::Str(_) => "str",
            Column::TimeMs(_) => "time_ms",
        }
    }
}
