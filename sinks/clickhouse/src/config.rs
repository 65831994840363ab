//! The sink's settings.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use steamflow_source_core::BackoffConfig;

/// Where and how the sink writes. Every field but `spool_dir` has a default.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClickHouseConfig {
    /// The streams written, in a steamflow config's `[sinks.<id>]`
    /// (`type = "clickhouse"`); each goes to the table of its name.
    #[serde(default)]
    pub inputs: Vec<String>,
    /// The HTTP interface, e.g. `http://127.0.0.1:8123`.
    #[serde(default = "default_url")]
    pub url: String,
    /// The database of the tables; `steamflow clickhouse migrate` creates it.
    #[serde(default = "default_database")]
    pub database: String,
    /// The user.
    #[serde(default = "default_user")]
    pub user: String,
    /// The environment variable that holds the password (never the
    /// password itself: configs are not secret). Unset: no password.
    #[serde(default)]
    pub password_env: Option<String>,
    /// A batch is sealed once it holds this many rows…
    #[serde(default = "default_batch_rows")]
    pub batch_rows: usize,
    /// …or this many bytes of RowBinary…
    #[serde(default = "default_batch_bytes")]
    pub batch_bytes: usize,
    /// …or, at a flush of its stream, when its first row is this much
    /// older in dataflow time (not wall-clock time: a replay then cuts the
    /// same batches, which are recognised and not delivered twice). Live
    /// rows land within about this long; a replay of history, whose
    /// dataflow time runs fast, still gets inserts of many rows (ClickHouse
    /// wants few large inserts rather than many small ones).
    #[serde(default = "default_flush_interval_ms")]
    pub flush_interval_ms: u64,
    /// The folder of the spool: sealed batches wait here until the server
    /// has them. Relative to the config file's folder.
    pub spool_dir: PathBuf,
    /// At most this many bytes are spooled; a stream that would exceed it
    /// waits (back-pressure into the graph) until batches are delivered.
    #[serde(default = "default_spool_max_bytes")]
    pub spool_max_bytes: u64,
    /// Waits between retries of a batch: exponential backoff with full
    /// jitter (`[retry] initial_ms = 200, max_ms = 30000`).
    #[serde(default)]
    pub retry: BackoffConfig,
    /// Batches inserted at once (a batch's rows are still one insert).
    #[serde(default = "default_parallel_inserts")]
    pub parallel_inserts: usize,
    /// An insert or query that takes longer fails (and is retried).
    #[serde(default = "default_request_timeout_ms")]
    pub request_timeout_ms: u64,
    /// On close, how long to wait for the spool to drain; what is left is
    /// delivered by the next start.
    #[serde(default = "default_drain_timeout_ms")]
    pub drain_timeout_ms: u64,
    /// Apply the schema migrations at start.
    #[serde(default = "default_true")]
    pub migrate: bool,
}

fn default_url() -> String {
    "http://127.0.0.1:8123".into()
}
fn default_database() -> String {
    "steamflow".into()
}
fn default_user() -> String {
    "default".into()
}
fn default_batch_rows() -> usize {
    100_000
}
fn default_batch_bytes() -> usize {
    16 << 20
}
fn default_flush_interval_ms() -> u64 {
    10_000
}
fn default_spool_max_bytes() -> u64 {
    1 << 30
}
fn default_request_timeout_ms() -> u64 {
    60_000
}
fn default_drain_timeout_ms() -> u64 {
    30_000
}
fn default_parallel_inserts() -> usize {
    2
}
fn default_true() -> bool {
    true
}

impl ClickHouseConfig {
    /// Defaults for everything but the spool folder.
    pub fn new(url: impl Into<String>, spool_dir: impl Into<PathBuf>) -> Self {
        ClickHouseConfig {
            inputs: Vec::new(),
            url: url.into(),
            database: default_database(),
            user: default_user(),
            password_env: None,
            batch_rows: default_batch_rows(),
            batch_bytes: default_batch_bytes(),
            flush_interval_ms: default_flush_interval_ms(),
            spool_dir: spool_dir.into(),
            spool_max_bytes: default_spool_max_bytes(),
            retry: BackoffConfig::default(),
            parallel_inserts: default_parallel_inserts(),
            request_timeout_ms: default_request_timeout_ms(),
            drain_timeout_ms: default_drain_timeout_ms(),
            migrate: true,
        }
    }

    /// The problems of the values, one message each (empty when fine).
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if !self.url.starts_with("http://") && !self.url.starts_with("https://") {
            problems.push(format!(
                "url `{}` must start with http:// or https://",
                self.url
            ));
        }
        if !crate::is_identifier(&self.database) {
            problems.push(format!(
                "database `{}` must be letters, digits and _",
                self.database
            ));
        }
        if self.parallel_inserts == 0 {
            problems.push("parallel_inserts must be at least 1".into());
        }
        if self.batch_rows == 0 || self.batch_bytes == 0 {
            problems.push("batch_rows and batch_bytes must be greater than 0".into());
        }
        if self.spool_max_bytes < self.batch_bytes as u64 {
            problems.push("spool_max_bytes must be at least batch_bytes".into());
        }
        if self.retry.initial_ms == 0 || self.retry.max_ms < self.retry.initial_ms {
            problems.push("retry.initial_ms must be > 0 and ≤ retry.max_ms".into());
        }
        problems
    }

    /// The password, from `password_env`.
    pub fn password(&self) -> Option<String> {
        self.password_env
            .as_ref()
            .and_then(|var| std::env::var(var).ok())
    }
}
