//! The typed, buffered Parquet writer of one stream.

use std::fs::{self, File};
use std::io;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{ArrayRef, Int64Builder};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use crate::column::Column;
use crate::{ParquetRow, RowAppender, SinkError};

/// The name of the column that carries each row's diff.
pub const DIFF_COLUMN: &str = "diff";

/// Rows buffered in the builders before they are encoded as one record
/// batch: large enough that per-batch costs vanish, small enough to keep a
/// stream's buffer in the low megabytes.
const BATCH_ROWS: usize = 64 * 1024;

/// The schema of a stream's file: the row's fields, then `diff: Int64` if asked.
pub fn schema_of<R: ParquetRow>(diff: bool) -> SchemaRef {
    schema_with(R::fields(), diff)
}

fn schema_with(mut fields: Vec<Field>, diff: bool) -> SchemaRef {
    if diff {
        fields.push(Field::new(DIFF_COLUMN, DataType::Int64, false));
    }
    Arc::new(Schema::new(fields))
}

/// Writes rows of type `R` to one Parquet file.
///
/// The file is written as `.<name>.partial` beside its final name and moved
/// there by [`close`](Self::close), so a reader never opens a file without
/// its footer. Dropping the writer without `close` finishes the file too,
/// but loses any error. A failure leaves no file behind.
pub struct ParquetWriter<R> {
    path: PathBuf,
    partial: PathBuf,
    schema: SchemaRef,
    columns: Vec<Column>,
    diff: Option<Int64Builder>,
    buffered: usize,
    writer: Option<ArrowWriter<File>>,
    rows: u64,
    row: PhantomData<fn(&R)>,
}

impl<R: ParquetRow> ParquetWriter<R> {
    /// A file of rows with a `diff` column: a stream of the graph.
    pub fn create(path: impl Into<PathBuf>) -> Result<Self, SinkError> {
        Self::open(path.into(), R::fields(), true)
    }

    /// A file of rows alone, every row an insert: a historian file of raw
    /// readings, for instance. [`append`](Self::append) refuses any diff but +1.
    pub fn create_without_diff(path: impl Into<PathBuf>) -> Result<Self, SinkError> {
        Self::open(path.into(), R::fields(), false)
    }

    /// Appends `row` with its diff (+1 assert, −1 retract, any count).
    pub fn append(&mut self, row: &R, diff: i64) -> Result<(), SinkError> {
        self.append_with(diff, |appender| row.append(appender))
    }

    /// Appends an insert (diff +1).
    pub fn push(&mut self, row: &R) -> Result<(), SinkError> {
        self.append(row, 1)
    }

    /// Appends rows with their diffs; stops at the first failure.
    pub fn append_all<'r, I>(&mut self, rows: I) -> Result<(), SinkError>
    where
        R: 'r,
        I: IntoIterator<Item = (&'r R, i64)>,
    {
        rows.into_iter()
            .try_for_each(|(row, diff)| self.append(row, diff))
    }

    /// Appends inserts; stops at the first failure.
    pub fn push_all<'r>(&mut self, rows: impl IntoIterator<Item = &'r R>) -> Result<(), SinkError>
    where
        R: 'r,
    {
        rows.into_iter().try_for_each(|row| self.push(row))
    }
}

impl ParquetWriter<()> {
    /// A file with a `diff` column whose columns are known only at run time
    /// (records mapped to columns by their fields, say): rows are pushed
    /// with [`append_with`](Self::append_with).
    pub fn create_with_fields(
        path: impl Into<PathBuf>,
        fields: Vec<Field>,
    ) -> Result<Self, SinkError> {
        Self::open(path.into(), fields, true)
    }
}

impl<R> ParquetWriter<R> {
    fn open(path: PathBuf, fields: Vec<Field>, diff: bool) -> Result<Self, SinkError> {
        let schema = schema_with(fields.clone(), diff);
        let columns = fields
            .iter()
            .map(Column::for_field)
            .collect::<Result<Vec<_>, _>>()?;
        let partial = partial_path(&path)?;
        let file = File::create(&partial).map_err(|source| SinkError::Create {
            path: partial.clone(),
            source,
        })?;
        let properties = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by(format!("steamflow {}", env!("CARGO_PKG_VERSION")))
            .build();
        let writer = match ArrowWriter::try_new(file, schema.clone(), Some(properties)) {
            Ok(writer) => writer,
            Err(source) => {
                let _ = fs::remove_file(&partial);
                return Err(SinkError::Parquet { path, source });
            }
        };
        Ok(Self {
            path,
            partial,
            schema,
            columns,
            diff: diff.then(Int64Builder::new),
            buffered: 0,
            writer: Some(writer),
            rows: 0,
            row: PhantomData,
        })
    }

    /// Appends one row whose values `push` gives, column by column, with
    /// its diff. A row that pushes too few or too many values, or a value
    /// of the wrong kind, fails the file ([`SinkError::Row`]).
    pub fn append_with(
        &mut self,
        diff: i64,
        push: impl FnOnce(&mut RowAppender<'_>),
    ) -> Result<(), SinkError> {
        if self.writer.is_none() {
            return Err(SinkError::Failed {
                path: self.path.clone(),
            });
        }
        if self.diff.is_none() && diff != 1 {
            return Err(SinkError::NoDiffColumn {
                path: self.path.clone(),
                diff,
            });
        }
        let mut appender = RowAppender::new(&mut self.columns);
        push(&mut appender);
        if let Err(detail) = appender.check() {
            // The builders now disagree in length: this file cannot be finished.
            self.abandon();
            return Err(SinkError::Row {
                path: self.path.clone(),
                detail,
            });
        }
        if let Some(diffs) = &mut self.diff {
            diffs.append_value(diff);
        }
        self.buffered += 1;
        self.rows += 1;
        if self.buffered >= BATCH_ROWS {
            self.write_batch()?;
        }
        Ok(())
    }

    /// Encodes the buffered rows, writes the footer, moves the file to its
    /// name and returns the number of rows written.
    pub fn close(mut self) -> Result<u64, SinkError> {
        self.finish_file()?;
        Ok(self.rows)
    }

    /// Rows appended so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The file's final name.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema written, `diff` included when present.
    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    fn write_batch(&mut self) -> Result<(), SinkError> {
        if self.buffered == 0 {
            return Ok(());
        }
        self.buffered = 0;
        let mut arrays: Vec<ArrayRef> = self.columns.iter_mut().map(Column::finish).collect();
        if let Some(diffs) = &mut self.diff {
            arrays.push(Arc::new(diffs.finish()));
        }
        let batch = match RecordBatch::try_new(self.schema.clone(), arrays) {
            Ok(batch) => batch,
            Err(source) => {
                self.abandon();
                return Err(SinkError::Arrow {
                    path: self.path.clone(),
                    source,
                });
            }
        };
        let result = match &mut self.writer {
            Some(writer) => writer.write(&batch),
            None => {
                return Err(SinkError::Failed {
                    path: self.path.clone(),
                });
            }
        };
        result.map_err(|source| self.parquet_failure(source))
    }

    fn finish_file(&mut self) -> Result<(), SinkError> {
        self.write_batch()?;
        let Some(mut writer) = self.writer.take() else {
            return Err(SinkError::Failed {
                path: self.path.clone(),
            });
        };
        if let Err(source) = writer.finish() {
            drop(writer);
            let _ = fs::remove_file(&self.partial);
            return Err(SinkError::Parquet {
                path: self.path.clone(),
                source,
            });
        }
        drop(writer);
        fs::rename(&self.partial, &self.path).map_err(|source| {
            let _ = fs::remove_file(&self.partial);
            SinkError::Rename {
                path: self.path.clone(),
                source,
            }
        })
    }

    fn parquet_failure(&mut self, source: parquet::errors::ParquetError) -> SinkError {
        self.abandon();
        SinkError::Parquet {
            path: self.path.clone(),
            source,
        }
    }

    /// Stops writing and removes the partial file.
    fn abandon(&mut self) {
        if self.writer.take().is_some() {
            let _ = fs::remove_file(&self.partial);
        }
    }
}

impl<R> Drop for ParquetWriter<R> {
    fn drop(&mut self) {
        // `close` already took the writer; only a writer dropped unclosed
        // still has one: finish it, as a BufWriter flushes on drop.
        if self.writer.is_some() {
            let _ = self.finish_file();
        }
    }
}

/// `dir/.name.partial` for `dir/name`.
fn partial_path(path: &Path) -> Result<PathBuf, SinkError> {
    let Some(name) = path.file_name() else {
        return Err(SinkError::Create {
            path: path.to_path_buf(),
            source: io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"),
        });
    };
    let mut partial = std::ffi::OsString::from(".");
    partial.push(name);
    partial.push(".partial");
    Ok(path.with_file_name(partial))
}
