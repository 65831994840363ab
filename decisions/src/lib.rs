//! # steamflow-decisions
//!
//! From losses to decisions. The analysis says what a plant loses; this
//! crate says what to do about it:
//!
//! 1. [`generate`]: candidate projects from one plant's analysis — repair
//!    each failed trap, fix each leak, insulate each bare segment, raise
//!    condensate recovery, lower a header's pressure where its consumers
//!    allow it — each with its savings (kg/h, kW, money and t CO2 a year),
//!    cost, difficulty and operational impact;
//! 2. [`front`]: the exact Pareto front of portfolios (subsets of the
//!    candidates) under a budget, a condensate recovery floor and header
//!    pressure limits, over three objectives — energy lost, money spent and
//!    CO2 emitted — and [`portfolio`]: the point chosen for given weights,
//!    with each candidate's inclusion or exclusion explained in words;
//! 3. [`rank`]: the recommendations a maintenance planner acts on, ranked
//!    by net present value, each saying why it ranks where it does.
//!
//! Pure: no I/O, no async; the dataflow calls it per plant and window.

pub mod candidate;
pub mod front;
pub mod generate;
pub mod portfolio;
pub mod rank;

pub use candidate::{Candidate, Difficulty, HeaderChange, ProjectKind, Savings};
pub use front::{Constraints, Front, FrontError, FrontPoint, HeaderLimit, Problem, pareto_front};
pub use generate::{
    BareSegment, CondensateState, CostAssumptions, FailedTrap, HeaderOption, LeakFound, Prices,
    Situation, candidates,
};
pub use portfolio::{Choice, Weights, choose};
pub use rank::{AppraisalSettings, Recommendation, recommend};
