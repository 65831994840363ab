//! Rows into an Arrow record batch in memory, through the same
//! [`RowAppender`] the Parquet writer takes: for consumers that query
//! stream records rather than store them (SQL views over live streams).

use std::sync::Arc;

use arrow::array::ArrayRef;
use arrow::datatypes::{Field, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;

use crate::column::Column;
use crate::{RowAppender, SinkError};

/// Why a row or a batch could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// A row pushed values that do not match the columns; the builder
    /// refuses further rows (its columns disagree in length).
    #[error("a row does not match its columns: {0}")]
    Row(String),
    /// An earlier row broke the builder.
    #[error("an earlier row did not match its columns")]
    Broken,
    /// The columns could not form a batch (a null in a non-nullable column).
    #[error("cannot assemble a batch: {0}")]
    Arrow(#[from] arrow::error::ArrowError),
}

/// Builds record batches of a fixed schema row by row.
///
/// ```
/// use steamflow_sink_parquet::BatchBuilder;
/// use steamflow_sink_parquet::arrow_types::{DataType, Field};
///
/// let mut rows = BatchBuilder::new(vec![
///     Field::new("plant", DataType::Utf8, false),
///     Field::new("mass_pct", DataType::Float64, true),
/// ])
/// .unwrap();
/// rows.append_with(|row| {
///     row.str("north").f64(99.2);
/// })
/// .unwrap();
/// let batch = rows.finish().unwrap();
/// assert_eq!(batch.num_rows(), 1);
/// assert_eq!(rows.len(), 0);
/// ```
pub struct BatchBuilder {
    schema: SchemaRef,
    columns: Vec<Column>,
    rows: usize,
    broken: bool,
}

impl BatchBuilder {
    /// A builder of batches with these columns (the types the Parquet
    /// writer supports, see [`ParquetRow::fields`](crate::ParquetRow::fields)).
    pub fn new(fields: Vec<Field>) -> Result<Self, SinkError> {
        let columns = fields
            .iter()
            .map(Column::for_field)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(BatchBuilder {
            schema: Arc::new(Schema::new(fields)),
            columns,
            rows: 0,
            broken: false,
        })
    }

    /// The schema of the batches.
    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    /// Rows appended since the last [`finish`](Self::finish).
    pub fn len(&self) -> usize {
        self.rows
    }

    /// True when no row waits.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Appends one row: `push` pushes one value per column, in order.
    pub fn append_with(
        &mut self,
        push: impl FnOnce(&mut RowAppender<'_>),
    ) -> Result<(), BatchError> {
        if self.broken {
            return Err(BatchError::Broken);
        }
        let mut appender = RowAppender::new(&mut self.columns);
        push(&mut appender);
        if let Err(detail) = appender.check() {
            self.broken = true;
            return Err(BatchError::Row(detail));
        }
        self.rows += 1;
        Ok(())
    }

    /// The rows appended so far as one batch; the builder starts empty again.
    pub fn finish(&mut self) -> Result<RecordBatch, BatchError> {
        if self.broken {
            return Err(BatchError::Broken);
        }
        self.rows = 0;
        let arrays: Vec<ArrayRef> = self.columns.iter_mut().map(Column::finish).collect();
        Ok(RecordBatch::try_new(Arc::clone(&self.schema), arrays)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::datatypes::DataType;

    #[test]
    fn a_row_of_the_wrong_shape_breaks_the_builder() {
        let mut rows = BatchBuilder::new(vec![Field::new("a", DataType::Int64, false)]).unwrap();
        assert!(matches!(
            rows.append_with(|row| {
                row.str("x");
            }),
            Err(BatchError::Row(_))
        ));
        assert!(matches!(
            rows.append_with(|row| {
                row.i64(1);
            }),
            Err(BatchError::Broken)
        ));
    }

    #[test]
    fn an_unsupported_type_is_refused() {
        assert!(BatchBuilder::new(vec![Field::new("d", DataType::Date32, false)]).is_err());
    }
}
