//! What can stop the Fluvio source, the sink or a connection check.

use crate::offsets::OffsetFileError;

/// An error that the connector cannot retry its way out of, or the result
/// of a check.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The config is not usable; each problem at its key.
    #[error("invalid Fluvio config: {0}")]
    Config(String),
    /// The cluster could not be reached or refused the connection.
    #[error("cannot connect to the Fluvio cluster at {endpoint}: {reason}")]
    Unreachable { endpoint: String, reason: String },
    /// Nothing answered in time.
    #[error("timed out: {0}")]
    Timeout(String),
    /// The topic does not exist on the cluster.
    #[error("the topic `{0}` does not exist on the cluster")]
    NoTopic(String),
    /// A listed partition does not exist.
    #[error("the topic `{topic}` has {count} partition(s): partition {partition} does not exist")]
    NoPartition {
        topic: String,
        partition: u32,
        count: u32,
    },
    /// The local offset store cannot be read or written.
    #[error(transparent)]
    Offsets(#[from] OffsetFileError),
    /// A record could not be produced (sink).
    #[error("cannot produce: {0}")]
    Produce(String),
}

impl Error {
    /// A config error listing every issue.
    pub fn config(issues: &[crate::config::ConfigIssue]) -> Error {
        Error::Config(
            issues
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        )
    }
}
