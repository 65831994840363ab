//! The streaming dataflow: windows against a batch model, lateness,
//! duplicates, malformed values, and identical results on any number of
//! workers and processes.

mod analysis;
mod harness;
mod lateness;
mod properties;
mod workers;
