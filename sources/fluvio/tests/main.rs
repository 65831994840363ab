//! Integration tests of the Fluvio source and sink.
//!
//! No Fluvio cluster can run on the machines these tests run on (only the
//! client crates exist, no server package), so most tests need none: the
//! config as users write it, and the client against loopback ports where
//! nothing or something else listens. `cluster` runs against a real
//! cluster when `STEAMFLOW_FLUVIO_ENDPOINT` names one, and otherwise says
//! it skipped.

#[cfg(feature = "client")]
mod cluster;
mod config;
#[cfg(feature = "client")]
mod unreachable;
