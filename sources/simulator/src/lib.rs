//! steamflow-simulator: a steam plant that produces realistic readings.

pub mod config;

pub use config::{
    Fault, FaultKind, FaultSpec, SignalEffect, SimulatorConfig, TrapFailure, Variation,
};
