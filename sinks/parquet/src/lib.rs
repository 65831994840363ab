//! Parquet files of steamflow's named streams.
//!
//! Every output of the graph is a named stream; this sink writes one file
//! per stream, `<dir>/<stream>.parquet`. A row type says its columns once
//! ([`ParquetRow::fields`]) and pushes its values in that order
//! ([`ParquetRow::append`] through a [`RowAppender`]); the writer adds an
//! `Int64` column `diff` (+1 asserts the row, −1 retracts it) so that
//! differential updates are representable.
//!
//! - [`ParquetDir`]: the folder of a run's streams.
//! - [`ParquetWriter`]: buffers rows in arrow builders, encodes them in
//!   record batches (snappy), and makes the file appear under its name only
//!   when [`ParquetWriter::close`] has written the footer — a reader never
//!   sees a half-written file.
//! - [`BatchBuilder`]: the same rows into an in-memory record batch (SQL
//!   views over the live streams).
//! - [`write_readings`] / [`ParquetWriter::create_without_diff`]: historian
//!   files of raw readings (`time, plant, tag, value, quality, unit`, no
//!   `diff`) that the file source replays.

mod batch;
mod column;
mod error;
mod readings;
mod row;
mod stream;
mod writer;

pub use batch::{BatchBuilder, BatchError};
pub use error::SinkError;
pub use readings::{reading_fields, write_readings};
pub use row::{ParquetRow, RowAppender, RowTarget, Value};
pub use stream::{ParquetDir, check_stream_name};
pub use writer::{DIFF_COLUMN, ParquetWriter, schema_of};

/// The arrow types row types are made of, re-exported so that a row type
/// needs no direct arrow dependency.
pub mod arrow_types {
    pub use arrow::datatypes::{DataType, Field, TimeUnit};
}
