//! The events a connector emits.

use steamflow_operators::reading::Reading;

/// A payload that did not become a reading, with the reason: the dead-letter
/// record of a connector.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct DecodeError {
    /// The component (source id) that received it.
    pub source: String,
    /// A stable, machine-readable reason code (`bad_json`, `wrong_type`,
    /// `wrong_byte_count`, `unknown_node`, `modbus_exception`, …).
    pub reason: &'static str,
    /// What was wrong, in words.
    pub message: String,
    /// Where it came from: an MQTT topic, a Modbus `unit/register`, an OPC UA node id.
    pub origin: String,
    /// The payload or an excerpt of it (at most 500 characters).
    pub payload: String,
    /// When it was received (UTC ms).
    pub received_ms: i64,
}

impl DecodeError {
    /// Longest payload excerpt kept.
    pub const MAX_PAYLOAD: usize = 500;

    /// A decode error, with the payload cut to [`Self::MAX_PAYLOAD`] characters.
    pub fn new(
        source: &str,
        reason: &'static str,
        message: impl Into<String>,
        origin: impl Into<String>,
        payload: &str,
        received_ms: i64,
    ) -> DecodeError {
        DecodeError {
            source: source.to_owned(),
            reason,
            message: message.into(),
            origin: origin.into(),
            payload: payload.chars().take(Self::MAX_PAYLOAD).collect(),
            received_ms,
        }
    }
}

/// Readings and decode errors received together.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SourceBatch {
    pub readings: Vec<Reading>,
    pub errors: Vec<DecodeError>,
}

impl SourceBatch {
    pub fn is_empty(&self) -> bool {
        self.readings.is_empty() && self.errors.is_empty()
    }
}

/// A span of time in which a source delivered nothing because it was
/// disconnected, reported so that nobody mistakes silence for a flat signal.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Gap {
    pub source: String,
    /// Last moment data was known to flow (UTC ms).
    pub from_ms: i64,
    /// First moment it flowed again (UTC ms).
    pub to_ms: i64,
    pub reason: String,
    /// Whether the gap was filled from the server's history (OPC UA HA).
    pub backfilled: bool,
}

/// What a connector tells the dataflow.
#[derive(Clone, Debug, PartialEq)]
pub enum SourceEvent {
    Batch(SourceBatch),
    Connected { source: String },
    Disconnected { source: String, reason: String },
    Gap(Gap),
}
