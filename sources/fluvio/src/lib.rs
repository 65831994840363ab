//! Fluvio for steamflow: a source that consumes a topic's partitions into
//! readings, and a sink that produces records as JSON.
//!
//! **Source** ([`run`], feature `client`): consumes every or the listed
//! partitions of a topic; JSON records become readings by field paths (the
//! MQTT source's, [`decode`]), named by the payload or the record key;
//! records that do not decode become [`DecodeError`]s with a reason code.
//! The position of each partition is stored after its batch was handed on
//! — as a consumer offset on the cluster and/or in a local file replaced
//! atomically ([`offsets`]) — so that a restart resumes where it stopped,
//! at least once. A lost connection is retried with backoff, re-opened at
//! the next offset of each partition, and reported as a [`Gap`]. Metrics:
//! received, errors, reconnects, and the lag in records (high watermark −
//! next offset) per partition.
//!
//! **Sink** ([`FluvioSink`], feature `client`): produces readings or rows
//! of any stream as JSON objects keyed by `{plant}/{tag}` ([`record`]),
//! batched with a linger time; delivery failures are returned by
//! [`FluvioSink::flush`].
//!
//! **Check** ([`check`], feature `client`): is the cluster reachable, does
//! the topic exist, which partitions does it have and how far are they?
//!
//! Without the `client` feature the crate holds the config ([`config`]),
//! decoding, record encoding and the offset file: what a binary needs to
//! validate a config, at none of the client's build cost.
//!
//! [`Gap`]: steamflow_source_core::Gap
//! [`DecodeError`]: steamflow_source_core::DecodeError

#[cfg(feature = "client")]
mod client;
pub mod config;
pub mod decode;
pub mod error;
pub mod offsets;
pub mod record;

#[cfg(feature = "client")]
pub use client::{CheckReport, FluvioSink, PartitionCheck, check, run, serve};
pub use config::{
    ClusterConfig, CompressionConfig, DeliveryConfig, FieldPaths, FluvioSinkConfig,
    FluvioSourceConfig, KeyNames, OffsetsConfig, StartPosition, TlsConfig,
};
pub use error::Error;
