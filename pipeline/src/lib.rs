//! steamflow: the command line and, as it lands, the streaming dataflow.
//!
//! The binary (`src/main.rs`) is a thin shell over this library so that
//! integration tests drive the same code the CLI runs.

pub mod calc;
pub mod cli;
pub mod config;
pub mod dataflow;
pub mod run;
pub mod serve;
