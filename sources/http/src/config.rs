//! The configuration of the HTTP ingest source (`[sources.<id>]` with
//! `type = "http"`).
//!
//! ```toml
//! [sources.ingest]
//! type = "http"
//! address = "0.0.0.0:8088"
//! token = "${STEAMFLOW_INGEST_TOKEN}"
//! plant = "north"
//! max_body_bytes = 10485760
//! ```
//!
//! The token comes from an `${ENV_VAR}` reference that the pipeline's config
//! loader resolves: this crate sees the plain string.

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

/// The HTTP ingest source (`type = "http"`): `POST <path>` with JSON or
/// NDJSON readings and `Authorization: Bearer <token>`.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSourceConfig {
    /// Address and port to listen on, e.g. `127.0.0.1:8088` (plain HTTP:
    /// put a TLS-terminating proxy in front when it leaves the host).
    pub address: SocketAddr,
    /// Path of the ingest endpoint. Default `/ingest`.
    #[serde(default = "default_path")]
    pub path: String,
    /// The bearer token clients must send; at least 16 characters. Write
    /// it as `${ENV_VAR}` in the config file.
    pub token: String,
    /// Largest request body [bytes]; larger ones are answered 413. Default 10 MiB.
    #[serde(default = "default_max_body_bytes")]
    pub max_body_bytes: usize,
    /// The plant of readings that name none; absent: such readings are rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plant: Option<String>,
    /// How long a request may wait for room in the pipeline's queue
    /// before it is answered 503 [ms]. Default 250.
    #[serde(default = "default_queue_timeout_ms")]
    pub queue_timeout_ms: u64,
    /// `Retry-After` of 503 answers [s]. Default 1.
    #[serde(default = "default_retry_after_secs")]
    pub retry_after_secs: u64,
    /// Rejected lines listed in an answer (all are counted). Default 100.
    #[serde(default = "default_max_reported_errors")]
    pub max_reported_errors: usize,
}

fn default_path() -> String {
    "/ingest".into()
}

fn default_max_body_bytes() -> usize {
    10 * 1024 * 1024
}

fn default_queue_timeout_ms() -> u64 {
    250
}

fn default_retry_after_secs() -> u64 {
    1
}

fn default_max_reported_errors() -> usize {
    100
}

/// The shortest token accepted.
pub const MIN_TOKEN_CHARS: usize = 16;

impl HttpSourceConfig {
    /// A source on `address` with `token` and every other key at its default.
    pub fn new(address: SocketAddr, token: impl Into<String>) -> HttpSourceConfig {
        HttpSourceConfig {
            address,
            path: default_path(),
            token: token.into(),
            max_body_bytes: default_max_body_bytes(),
            plant: None,
            queue_timeout_ms: default_queue_timeout_ms(),
            retry_after_secs: default_retry_after_secs(),
            max_reported_errors: default_max_reported_errors(),
        }
    }

    /// Every problem of the config, each as `(key, message)` relative to
    /// the source's table. Empty: the source can start.
    pub fn validate(&self) -> Vec<ConfigIssue> {
        let mut issues = Vec::new();
        let mut issue =
            |key: &'static str, message: String| issues.push(ConfigIssue { key, message });
        if !self.path.starts_with('/') || self.path.contains(['?', '#', '{', '}', '*']) {
            issue(
                "path",
                format!("`{}` must be a plain path starting with /", self.path),
            );
        }
        if self.token.chars().count() < MIN_TOKEN_CHARS {
            issue(
                "token",
                format!(
                    "must be at least {MIN_TOKEN_CHARS} characters (set it from an environment variable: token = \"${{INGEST_TOKEN}}\")"
                ),
            );
        } else if self
            .token
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
        {
            issue(
                "token",
                "must not contain spaces or control characters".into(),
            );
        }
        if self.max_body_bytes == 0 {
            issue("max_body_bytes", "must be greater than 0".into());
        }
        if let Some(plant) = &self.plant
            && plant.trim().is_empty()
        {
            issue("plant", "must not be empty".into());
        }
        issues
    }
}

/// The token never appears in logs or error messages.
impl std::fmt::Debug for HttpSourceConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpSourceConfig")
            .field("address", &self.address)
            .field("path", &self.path)
            .field("token", &"<redacted>")
            .field("max_body_bytes", &self.max_body_bytes)
            .field("plant", &self.plant)
            .field("queue_timeout_ms", &self.queue_timeout_ms)
            .field("retry_after_secs", &self.retry_after_secs)
            .field("max_reported_errors", &self.max_reported_errors)
            .finish()
    }
}

/// A config problem at a key of the source's table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigIssue {
    pub key: &'static str,
    pub message: String,
}

impl std::fmt::Display for ConfigIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> HttpSourceConfig {
        HttpSourceConfig::new("127.0.0.1:8088".parse().unwrap(), "0123456789abcdef")
    }

    #[test]
    fn defaults_are_valid() {
        assert_eq!(config().validate(), vec![]);
        assert_eq!(config().path, "/ingest");
    }

    #[test]
    fn weak_tokens_and_odd_paths_are_refused() {
        let mut bad = config();
        bad.token = "short".into();
        bad.path = "ingest".into();
        bad.max_body_bytes = 0;
        let keys: Vec<_> = bad.validate().iter().map(|issue| issue.key).collect();
        assert_eq!(keys, ["path", "token", "max_body_bytes"]);
        bad.token = "0123456789 abcdef".into();
        assert!(bad.validate().iter().any(|issue| issue.key == "token"));
    }

    #[test]
    fn the_token_is_not_printed() {
        let text = format!("{:?}", config());
        assert!(!text.contains("0123456789abcdef"), "{text}");
    }

    #[test]
    fn unknown_keys_are_refused() {
        let parsed: Result<HttpSourceConfig, _> = serde_json::from_str(
            r#"{"address": "127.0.0.1:1", "token": "0123456789abcdef", "tokens": []}"#,
        );
        assert!(parsed.is_err());
    }
}
