//! SQL views over a run's live streams: real runs of the demo plant (the
//! simulator, or its plant fed from a file), each view evaluated as
//! windows close and delivered as a stream of its own.
//!
//! - a view recomputing the balance closure from the window aggregates
//!   gives the `balances` stream's numbers, window by window;
//! - a view whose rows are alerts pages a real webhook receiver when the
//!   LP transmitter goes silent, and resolves when it is back;
//! - a late reading (inside the allowed lateness) retracts a view's row
//!   and asserts the corrected one;
//! - `steamflow validate` names the view whose SQL is bad; the example
//!   views of `sql/views/` plan against the live tables.

mod alerts;
mod harness;
mod late;
mod numbers;
mod validate;
