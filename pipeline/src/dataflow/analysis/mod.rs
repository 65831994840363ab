//! The analysis stage: per plant and per base window (one minute), the
//! features, trap statuses, balances, losses, leaks and alerts of the
//! steam system, as differential collections published by name.
//!
//! ```text
//!  base window aggregates ──flat_map: (plant, window, slot)──▶ exchange by plant
//!      ──▶ sequence (per plant, windows in order):
//!            traps ─▶ balance before leaks ─▶ leak detectors ─▶ balance with leaks
//!            ─▶ steam states (+ moving averages) ─▶ window-level alert rules
//!      ──▶ steam_states, trap_statuses, balances, losses, leaks, alerts
//!  accepted readings ──▶ per-reading threshold rules ──▶ alerts
//! ```
//!
//! # Exactness under late data
//!
//! A late reading inside the allowed lateness changes its base window
//! (retract, assert); the change reaches the plant's window sequence,
//! which replays every window from the changed one on
//! ([`Sequence::sequence`]): the leak detectors and alert state machines
//! are sequential, and their results for every later window may change.
//! Each stream then holds exactly what one in-order pass over the final
//! windows gives — the property the tests check against a batch
//! computation. The sequence keeps a plant's windows only while they can
//! change (the lateness horizon), so memory does not grow with history.
//!
//! # Layout
//!
//! | module | concern |
//! |---|---|
//! | [`model`] | plants, tag slots, one window of a plant ([`WindowView`]) |
//! | [`sequence`] | the replaying window-sequence operator |
//! | [`traps`] | `trap_statuses` |
//! | [`balance`] | `balances`, `losses` |
//! | [`leaks`] | `leaks`: detectors and fusion |
//! | [`features`] | `steam_states`: IF97 states, ΔT, Δp, heat loss, moving averages |
//! | [`alerts`] | `alerts`: window-level rules, per-reading thresholds |
//! | [`recommendations`] | `recommendations`: candidate projects, the optimizer's portfolio, ranked |
//! | [`stage`] | the order per window, and attaching the stage to the graph |
//!
//! The driver builds an [`AnalysisModel`] from the config once, and after
//! `steamflow_graph` calls [`AnalysisStage::attach_analysis`] on the graph.

pub mod alerts;
pub mod balance;
pub mod features;
mod fields;
pub mod leaks;
pub mod model;
pub mod recommendations;
pub mod sequence;
pub mod stage;
pub mod traps;

pub use alerts::{AlertRecord, AlertScope, AlertState, ThresholdAlerts};
pub use balance::{BalanceRecord, LossRecord};
pub use features::{AssetKind, FeatureState, Phase, SteamState};
pub use fields::F64;
pub use leaks::{LeakRecord, LeakState};
pub use model::{AnalysisError, AnalysisModel, PlantModel, WindowView, signal_stats};
pub use recommendations::RecommendationRecord;
pub use sequence::Sequence;
pub use stage::{
    AnalysisStage, AnalysisStreams, AnalyzePlants, PlantOutput, PlantState, analyze_window,
};
pub use traps::{TrapStatus, assess_traps};
