//! # steamflow-simulator
//!
//! A steam plant that produces the readings a real one would, with faults
//! injected on a schedule, so that every analysis of steamflow can be run,
//! tested and demonstrated without a plant.
//!
//! The plant is the config's asset model ([`steamflow_operators::plant`]),
//! hand-written or [`synthetic`] at any size. Its physics is steamflow's
//! own: IAPWS-IF97 states, pipe heat loss and pressure drop from the
//! analysis layer, the isentropic orifice equation for leaks and failed
//! traps ([`physics`]). The mass balance of every sample closes exactly
//! ([`model::Balance`]); the energy carried is IF97 enthalpy throughout.
//!
//! Faults ([`config::FaultKind`]): traps blown open, leaking, blocked or
//! degraded; leaks of a given size in a pipe; meter drift and bias; dropout,
//! flatline, extra noise; out-of-order, late and duplicate delivery;
//! malformed values. The same seed gives the same readings, bit for bit.
//!
//! [`PlantSimulator`] is a source: [`PlantSimulator::next_batch`] returns
//! the readings delivered at each sample time; [`PlantSimulator::snapshot`]
//! tells the truth behind them.

pub mod config;
pub mod model;
pub mod physics;
mod rng;
mod sim;
pub mod synthetic;

pub use config::{
    Fault, FaultKind, FaultSpec, SignalEffect, SimulatorConfig, TrapFailure, Variation,
};
pub use model::{Balance, Snapshot, TrapCondition};
pub use sim::{Batch, PlantSimulator, SimError};

#[cfg(test)]
mod tests;
