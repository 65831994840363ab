//! # steamflow-source-modbus
//!
//! A Modbus TCP source: it polls the register maps of devices (PLCs,
//! meters, gateways) and turns them into readings, and — with the `server`
//! feature — a Modbus TCP server that serves tag values, the plant
//! simulator's Modbus face.
//!
//! - [`config`]: the `[sources.<id>]` table of `type = "modbus"` — devices,
//!   unit ids, tags with their table, **0-based wire address**, data type,
//!   byte order, scale and offset — and its checks ([`ModbusConfig::issues`]).
//! - [`codec`]: registers ⇄ values for every data type and byte order.
//! - [`plan`]: which requests read which tags (coalescing, caps, splits).
//! - [`run`]: the source itself — one connection per device, polled on
//!   its interval, reconnecting with backoff, reporting gaps.
//! - [`check`]: a one-shot connection and read test (`steamflow run --check`).
//! - `server` (feature): [`server::serve`] and [`server::ModbusServer`].
//!
//! What becomes of a tag in a poll: a reading (event time = the poll's
//! start, UTC ms; quality good, or bad when a float register holds NaN or
//! ∞), or — when the device refused it or answered with the wrong size —
//! no reading and a `DecodeError` with reason `modbus_exception` (and the
//! exception code), `wrong_byte_count`, `malformed_response` or `timeout`
//! (a unit that did not answer while others did). Values that could not be
//! read are never stood in for by a bad-quality reading. A dropped
//! connection, or a device of which nothing answers, loses the connection,
//! not a tag: the source reports `Disconnected`, reconnects with backoff,
//! and reports the `Gap`.

pub mod check;
pub mod codec;
pub mod config;
mod device;
pub mod plan;
#[cfg(feature = "server")]
pub mod server;
mod source;

pub use check::{CheckReport, DeviceCheck, TagCheck, check};
pub use config::{
    ByteOrder, ConfigIssue, DataType, DeviceConfig, ModbusConfig, PathSegment, RegisterType,
    TagConfig,
};
pub use device::exception_name;
pub use source::run;

/// Why the source (or the server) cannot run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The config has errors (each with its key path).
    #[error("invalid modbus config: {}", list(.0))]
    Config(Vec<ConfigIssue>),
    /// A device task ended abnormally.
    #[error("a modbus device task failed: {0}")]
    Task(String),
    /// The server could not bind its address.
    #[error("cannot serve Modbus TCP on {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    /// The server stopped accepting connections.
    #[error("the Modbus TCP server on {addr:?} failed: {source}")]
    Serve {
        addr: Option<std::net::SocketAddr>,
        source: std::io::Error,
    },
    /// A register map does not fit in the address space.
    #[error("{0}")]
    Layout(String),
}

fn list(issues: &[ConfigIssue]) -> String {
    issues
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
