//! Alert evaluation: the state machines that turn analysis results and
//! readings into notifications — fired, repeated, resolved — without
//! paging twice for a flapping signal.
//!
//! - [`Severity`]: the seed's critical / high / medium / low;
//! - [`AlertTracker`]: one key's state machine, with `for_secs`,
//!   `clear_for_secs` and `repeat_secs` ([`AlertPolicy`]);
//! - [`ThresholdAlert`]: a threshold with hysteresis on top of a tracker;
//! - [`conditions`]: the seed's triggers (trap failure, leak, balance
//!   closure, loss, recovery rate, pressure anomaly) as observations.
//!
//! Each key (rule, plant, asset: [`AlertKey`]) has its own machine, a plain
//! value the dataflow keeps per key; nothing here reads a clock or does I/O.

pub mod conditions;
mod severity;
mod threshold;
mod tracker;

pub use conditions::Observation;
pub use severity::Severity;
pub use threshold::{Side, Threshold, ThresholdAlert};
pub use tracker::{
    AlertEvent, AlertKey, AlertPhase, AlertPolicy, AlertTracker, EventKind, OutOfOrderObservation,
};
