//! What can go wrong when writing Parquet.

use std::io;
use std::path::PathBuf;

/// A failure of a Parquet writer; none of them panics.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    /// The file (or its folder) could not be created.
    #[error("cannot create {}: {source}", path.display())]
    Create {
        /// The file or folder.
        path: PathBuf,
        /// The operating system's reason.
        source: io::Error,
    },
    /// The finished file could not be moved to its name.
    #[error("cannot move the finished file to {}: {source}", path.display())]
    Rename {
        /// The file's final name.
        path: PathBuf,
        /// The operating system's reason.
        source: io::Error,
    },
    /// The Parquet encoder or the disk under it failed.
    #[error("cannot write {}: {source}", path.display())]
    Parquet {
        /// The file's final name.
        path: PathBuf,
        /// The encoder's reason (I/O errors included).
        source: parquet::errors::ParquetError,
    },
    /// The buffered columns could not form a record batch (a non-nullable
    /// column received a null, for instance).
    #[error("cannot assemble a batch for {}: {source}", path.display())]
    Arrow {
        /// The file's final name.
        path: PathBuf,
        /// arrow's reason.
        source: arrow::error::ArrowError,
    },
    /// A row type declared a column type this sink does not build.
    #[error(
        "column `{column}` has type {data_type}, which the Parquet sink does not write \
         (use Float64, Int64, UInt64, Int32, UInt32, Boolean, Utf8 or Timestamp(Millisecond))"
    )]
    UnsupportedType {
        /// The column.
        column: String,
        /// Its declared type.
        data_type: String,
    },
    /// A row pushed values that do not match its declared columns: a bug in
    /// its [`ParquetRow`](crate::ParquetRow) impl. The writer refuses further
    /// rows and leaves no file.
    #[error("a row of {} does not match its schema: {detail}", path.display())]
    Row {
        /// The file's final name.
        path: PathBuf,
        /// Which column and what was pushed.
        detail: String,
    },
    /// The writer failed earlier and cannot go on.
    #[error("the writer of {} failed earlier and takes no more rows", path.display())]
    Failed {
        /// The file's final name.
        path: PathBuf,
    },
    /// A retraction (or any diff but +1) sent to a file without a `diff` column.
    #[error("{} has no diff column: it takes only inserts, not diff {diff}", path.display())]
    NoDiffColumn {
        /// The file's final name.
        path: PathBuf,
        /// The diff that was refused.
        diff: i64,
    },
    /// A stream name that cannot be a file name.
    #[error(
        "`{0}` is not a stream name: use 1 to 200 letters, digits, `_`, `-` or `.`, not starting with `.`"
    )]
    StreamName(String),
}
