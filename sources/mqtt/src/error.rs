//! What can stop the MQTT source, the sink or a connection check.

/// An error that the connector cannot retry its way out of, or the result
/// of a check.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The config is not usable; each problem at its key.
    #[error("invalid MQTT config: {0}")]
    Config(String),
    /// TLS could not be set up (a certificate or key file).
    #[error("TLS: {0}")]
    Tls(String),
    /// The broker could not be reached or refused the connection (check).
    #[error("cannot connect to the MQTT broker at {broker}: {reason}")]
    Connect { broker: String, reason: String },
    /// Nothing answered in time (check, flush).
    #[error("timed out: {0}")]
    Timeout(String),
    /// A record could not be published (sink).
    #[error("cannot publish: {0}")]
    Publish(String),
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
