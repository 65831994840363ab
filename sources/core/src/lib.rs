//! What every steamflow connector shares.
//!
//! A connector (OPC UA, Modbus, MQTT, HTTP, Fluvio, …) turns a protocol into
//! a stream of [`SourceEvent`]s: batches of readings, the payloads it could
//! not decode (as values, [`DecodeError`], never panics), the gaps it saw
//! while disconnected, and its connection status. The dataflow consumes
//! them without knowing the protocol.
//!
//! Reconnects use one policy, [`Backoff`]: exponential with full jitter and
//! a cap. Counters follow the component metrics of DESIGN.md
//! ([`metrics`]): received, sent, errors, discarded, reconnects, labelled
//! by component id.

pub mod backoff;
pub mod event;
pub mod metrics;
#[cfg(feature = "testing")]
pub mod testing;

pub use backoff::{Backoff, BackoffConfig};
pub use event::{DecodeError, Gap, SourceBatch, SourceEvent};
pub use metrics::ComponentMetrics;
