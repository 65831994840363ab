//! The OPC UA source of steamflow, and the OPC UA server the plant
//! simulator serves its tags with.
//!
//! **Client** ([`run`], [`check`]): connects to an OPC UA server
//! (async-opcua, pure-Rust crypto), reads the configured nodes — by
//! subscription (sampling and publishing intervals, deadband, queue size)
//! or by polling — and emits [`SourceEvent`]s: batches of readings and
//! decode errors, connection status, and gaps.
//!
//! - Security: policies None, Basic256Sha256 (and the two Aes policies),
//!   modes None, Sign, SignAndEncrypt; a client certificate created once in
//!   the PKI folder and kept; trusted server certificates in
//!   `<pki>/trusted`; optional thumbprint pinning; `auto_trust` off by
//!   default ([`pki`]).
//! - Identity: anonymous, or user name and password.
//! - Reconnect: a lost session (server restart, network loss, keep-alive
//!   failure, subscription lost on the server) is dropped whole; after a
//!   jittered backoff a new session is created and **every** subscription
//!   and polled node is set up again by this crate, not left to the
//!   stack's session transfer. The gap is reported ([`Gap`]); where the
//!   server keeps history for a node, the gap is read back (HistoryRead
//!   raw) and `Gap::backfilled` says whether all of it could be.
//! - No stale values: a value is emitted only if its event time is later
//!   than the last one emitted for its node, so the initial values a
//!   re-created monitored item delivers are not emitted twice.
//! - Back-pressure: the event channel is bounded; while it is full no
//!   publish response is processed, so the server queues (and, past the
//!   queue size, drops the oldest with an overflow bit) instead of this
//!   process growing.
//!
//! **Server** (feature `server`, [`server::serve`]): exposes tag values as
//! variables `ns=2;s=<tag>` under the folder `Objects/<folder>`, updated
//! from a stream of readings, with a bounded in-memory history per tag.

pub mod config;
pub mod convert;
pub mod pki;

mod check;
mod client;
mod history;
mod session;

#[cfg(feature = "server")]
pub mod server;

use std::path::PathBuf;

pub use check::{CheckReport, NodeCheck, check};
pub use client::run;
pub use config::{ConfigIssue, Mode, NodeConfig, OpcUaConfig, SecurityMode, SecurityPolicy};
pub use steamflow_source_core::{Gap, SourceEvent};
pub use tokio_util::sync::CancellationToken;

/// Errors of the OPC UA source and server.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The config is not sound; each issue names its key.
    #[error("invalid OPC UA source config: {}", join(.0))]
    Config(Vec<ConfigIssue>),
    /// The PKI folder cannot be used.
    #[error("PKI folder, {path}: {message}")]
    Pki { path: PathBuf, message: String },
    /// The server cannot be reached or refused the connection.
    #[error("cannot connect to {url}: {message}")]
    Connect { url: String, message: String },
    /// The server offers no endpoint with the configured security.
    #[error(
        "the server offers no endpoint with security policy {policy} and mode {mode}; it offers: {offered}"
    )]
    NoEndpoint {
        policy: &'static str,
        mode: &'static str,
        offered: String,
    },
    /// The server's certificate was refused (untrusted, not the pinned one, invalid).
    #[error("server certificate refused: {0}")]
    CertificateRejected(String),
    /// The server refused the user (wrong name or password, or anonymous not allowed).
    #[error("authentication failed: {0}")]
    Authentication(String),
    /// A request failed.
    #[error("{what} failed: {status}")]
    Request { what: &'static str, status: String },
    /// The consumer of the events went away.
    #[error("the event channel is closed")]
    ChannelClosed,
    /// The OPC UA server could not be built or started.
    #[error("OPC UA server: {0}")]
    Server(String),
}

fn join(issues: &[ConfigIssue]) -> String {
    issues
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl Error {
    /// Whether retrying later may help (a server down, a network loss), as
    /// opposed to a config, PKI or channel failure that will not heal by itself.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Error::Connect { .. }
                | Error::Request { .. }
                | Error::CertificateRejected(_)
                | Error::Authentication(_)
                | Error::NoEndpoint { .. }
        )
    }
}
