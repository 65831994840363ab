//! The `steamflow run --check` test of an ingest source: is the config
//! usable and can the address be bound right now? (A push source has no
//! peer to reach; the check binds and releases the port.)

use std::fmt;
use std::net::SocketAddr;

use tokio::net::TcpListener;

use crate::config::HttpSourceConfig;
use crate::error::Error;

/// What a check found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckReport {
    /// The address that was bound and released.
    pub address: SocketAddr,
    /// The endpoint clients post to.
    pub path: String,
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "can listen on {}: clients POST to http://{}{} with a bearer token",
            self.address, self.address, self.path
        )
    }
}

/// Validates the config and binds (then releases) the address.
pub async fn check(config: &HttpSourceConfig) -> Result<CheckReport, Error> {
    let issues = config.validate();
    if !issues.is_empty() {
        return Err(Error::config(&issues));
    }
    let listener = TcpListener::bind(config.address)
        .await
        .map_err(|source| Error::Bind {
            address: config.address,
            source,
        })?;
    let address = listener.local_addr().unwrap_or(config.address);
    drop(listener);
    Ok(CheckReport {
        address,
        path: config.path.clone(),
    })
}
