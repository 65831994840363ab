//! MQTT for steamflow: a source that turns subscribed messages into
//! readings, and a sink that publishes records as JSON.
//!
//! **Source** ([`run`]): MQTT 3.1.1 through rumqttc. QoS 0/1/2 per
//! subscription; topic filters with `+`/`#` and named levels
//! (`steam/{plant}/traps/{tag}/status`) that give each reading its plant
//! and tag; JSON payloads mapped by field paths (JSON pointers or dotted
//! paths) for time, value, quality and unit — an object, an array of
//! objects, an array inside the payload, or a bare number; retained
//! messages flagged, accepted or discarded; a persistent session with a
//! stable client id; a last will on the connector's status topic; TLS
//! (rustls) and user/password; reconnects with backoff, resubscribing when
//! the broker kept no session, and the outage reported as a [`Gap`].
//! Payloads that do not decode become [`DecodeError`]s with a reason code.
//!
//! **Sink** ([`MqttSink`], [`serve`]): publishes alerts, readings or rows
//! of any stream as JSON to a topic template, with QoS and retain.
//!
//! **Check** ([`check`]): is the broker reachable, the login accepted,
//! each subscription granted, and do retained messages decode?
//!
//! [`Gap`]: steamflow_source_core::Gap
//! [`DecodeError`]: steamflow_source_core::DecodeError

pub mod check;
pub mod config;
mod connection;
pub mod decode;
pub mod error;
pub mod path;
pub mod sink;
pub mod source;
pub mod topic;

pub use check::{CheckReport, SubscriptionCheck, check};
pub use config::{
    ConfigIssue, ConnectionConfig, FieldPaths, KeySegment, MqttSinkConfig, MqttSourceConfig,
    PayloadFormat, Qos, RetainedPolicy, SubscriptionConfig, TimeFormat, TlsConfig,
};
pub use error::Error;
pub use sink::{MqttSink, SinkStatus, serve};
pub use source::{STATUS_OFFLINE, STATUS_ONLINE, run};
