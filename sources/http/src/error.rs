//! What can stop the HTTP ingest source.

use std::net::SocketAddr;

/// An error the ingest server cannot serve through.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The config is not usable; each problem at its key.
    #[error("invalid HTTP ingest config: {0}")]
    Config(String),
    /// The address could not be bound (in use, not local, no permission).
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: SocketAddr,
        source: std::io::Error,
    },
    /// The server stopped with an I/O error.
    #[error("the ingest server failed: {0}")]
    Serve(std::io::Error),
}

impl Error {
    pub(crate) fn config(issues: &[crate::config::ConfigIssue]) -> Error {
        Error::Config(
            issues
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        )
    }
}
