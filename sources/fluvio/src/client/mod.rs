//! The Fluvio client side (feature `client`): connection, consumer,
//! producer and connection check.

pub(crate) mod check;
pub(crate) mod connection;
pub(crate) mod sink;
pub(crate) mod source;

pub use check::{CheckReport, PartitionCheck, check};
pub use sink::{FluvioSink, serve};
pub use source::run;
