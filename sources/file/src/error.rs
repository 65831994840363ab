//! Failures of the file itself, as opposed to rows that do not decode.

use std::io;
use std::path::PathBuf;

/// Why a file cannot be replayed at all.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The file cannot be opened or read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        source: io::Error,
    },
    /// No format was given and the extension names none.
    #[error(
        "cannot tell the format of {} from its extension: name it (csv, jsonl, parquet)",
        path.display()
    )]
    UnknownFormat {
        /// The file.
        path: PathBuf,
    },
    /// The header (CSV) or schema (Parquet) lacks a column every row needs.
    #[error("{} has no `{column}` column{hint}", path.display())]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The column.
        column: &'static str,
        /// What would fix it, if anything but adding the column.
        hint: &'static str,
    },
    /// A Parquet column has a type that cannot hold what it should.
    #[error("column `{column}` of {} has type {found}: expected {expected}", path.display())]
    ColumnType {
        /// The file.
        path: PathBuf,
        /// The column.
        column: &'static str,
        /// Its type.
        found: String,
        /// The types accepted.
        expected: &'static str,
    },
    /// The CSV header row cannot be read.
    #[error("cannot read the header of {}: {source}", path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// The reader's reason.
        source: csv::Error,
    },
    /// The Parquet footer or schema cannot be read.
    #[error("{} is not a readable Parquet file: {source}", path.display())]
    Parquet {
        /// The file.
        path: PathBuf,
        /// The reader's reason.
        source: parquet::errors::ParquetError,
    },
    /// The real-time factor is not a positive number.
    #[error("the real-time factor must be a number greater than 0, found {0}")]
    BadFactor(f64),
}

/// A failure of the file during replay: the replay stops here, and the
/// readings before it have been delivered.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// Reading the file failed.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        source: io::Error,
    },
    /// The CSV reader failed (an I/O error under it).
    #[error("cannot read {}: {source}", path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// The reader's reason.
        source: csv::Error,
    },
    /// A Parquet page or column cannot be decoded.
    #[error("cannot decode {}: {source}", path.display())]
    Arrow {
        /// The file.
        path: PathBuf,
        /// The decoder's reason.
        source: arrow::error::ArrowError,
    },
}
