//! The analysis stage on simulated plants: scenarios (a healthy plant
//! closes, failed traps and leaks are found, late data flows through to
//! leaks and alerts, alerts fire and resolve) and the property that the
//! incrementally maintained balances and leaks equal a batch computation.

mod demo;
mod harness;
mod incremental;
mod scenarios;
mod streams;
