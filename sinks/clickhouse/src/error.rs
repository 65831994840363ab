//! Errors of the ClickHouse sink.

use std::path::PathBuf;

/// What went wrong.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server answered with an error, or could not be reached.
    #[error("clickhouse: {0}")]
    ClickHouse(#[source] clickhouse::error::Error),
    /// `version()` answered something that is not a version.
    #[error("the server's version `{0}` is not major.minor")]
    Version(String),
    /// A migration failed.
    #[error("migration {file}: {error}")]
    Migration {
        /// The file.
        file: &'static str,
        /// Why.
        #[source]
        error: Box<Error>,
    },
    /// A table lacks what the sink needs, or has a type it cannot write.
    #[error("table `{table}`: {reason}")]
    Table {
        /// The table.
        table: String,
        /// Why.
        reason: String,
    },
    /// The spool folder could not be read or written.
    #[error("spool {}: {source}", path.display())]
    Spool {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The sink is closed (its delivery thread ended).
    #[error("the ClickHouse sink is closed")]
    Closed,
    /// A config value is invalid.
    #[error("config: {0}")]
    Config(String),
}
