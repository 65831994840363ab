//! What can go wrong in SQL: a query the engine refuses, a folder with no
//! streams, a table name that cannot be one.

use std::path::PathBuf;

/// An error of this crate.
#[derive(Debug, thiserror::Error)]
pub enum SqlError {
    /// DataFusion refused or failed a query (bad SQL, unknown column, type error, I/O).
    #[error(transparent)]
    DataFusion(#[from] datafusion::error::DataFusionError),
    /// A folder holds no `.parquet` or `.jsonl` stream files.
    #[error(
        "{path}: no stream files (<stream>.parquet or <stream>.jsonl, also under parquet/ and jsonl/)"
    )]
    NoStreams {
        /// The folder.
        path: PathBuf,
    },
    /// A view does not plan.
    #[error(transparent)]
    View(#[from] crate::views::ViewError),
    /// Views that do not plan, each named.
    #[error(transparent)]
    Views(#[from] crate::views::ViewErrors),
    /// A live stream's declaration or update is wrong.
    #[error(transparent)]
    Live(#[from] crate::live::LiveError),
    /// A running pipeline refused or failed a query, or could not be reached.
    #[error("{}{message}", status.map(|s| format!("HTTP {s}: ")).unwrap_or_default())]
    Remote {
        /// The HTTP status of the answer, if one came.
        status: Option<u16>,
        /// Why.
        message: String,
    },
    /// The terminal of the interactive shell failed.
    #[error("terminal: {0}")]
    Terminal(#[from] std::io::Error),
    /// A folder could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Result of this crate.
pub type Result<T, E = SqlError> = std::result::Result<T, E>;
