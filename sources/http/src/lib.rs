//! HTTP ingest for steamflow: clients `POST` batches of readings as a JSON
//! array or as NDJSON with a bearer token; every item is accepted or
//! answered with what was wrong (line or index, reason code, message), and
//! a full pipeline queue is answered `503` with `Retry-After` rather than
//! buffered. See [`server`] for the answers and [`line`] for the format.

pub mod check;
pub mod config;
pub mod error;
pub mod line;
pub mod server;

pub use check::{CheckReport, check};
pub use config::{ConfigIssue, HttpSourceConfig};
pub use error::Error;
pub use server::{HttpSource, NDJSON_TYPES, run};
