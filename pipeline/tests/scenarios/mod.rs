//! Scenario tests: the demo plant simulated with one kind of fault at a
//! time and run through the whole graph (`steamflow run`'s machinery), each
//! checked against what the fault must produce in the named streams.

mod delivery;
mod faults;
mod harness;
mod healthy;
mod recommendations;
