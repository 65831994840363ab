//! `trap_statuses`: every trap of every plant, every window — its state,
//! the confidence in it, the evidence in words, and what a trap that
//! passes steam costs.
//!
//! The observation comes from the window aggregates of the trap's tags
//! ([`WindowView::trap_observation`]): inlet and outlet temperature and
//! acoustic summaries, the pressure of what it drains and of what it
//! discharges to. The classification and the loss are
//! [`assess_trap`]'s, with the thresholds of the trap's type from
//! `[analysis.traps]`. A trap without usable data is `unknown` with
//! confidence 0: every trap has a row in every window of its plant.

use serde::{Deserialize, Serialize};
use steamflow_operators::analysis::trap_status::{TrapAssessment, TrapState, assess_trap};
use steamflow_operators::plant::TrapType;

use super::fields::{F64, Fields, finite};
use super::model::WindowView;
use crate::dataflow::key::KeyRegistry;
use crate::dataflow::render::OutputRecord;

/// One trap in one window (the `trap_statuses` stream).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TrapStatus {
    /// The plant.
    pub plant: String,
    /// Window start \[ms\].
    pub window_start_ms: u64,
    /// The trap's id.
    pub trap: String,
    /// Window end (exclusive) \[ms\].
    pub window_end_ms: u64,
    /// Its type.
    pub trap_type: TrapType,
    /// Its state.
    pub state: TrapState,
    /// Confidence in the state, 0 to 1 (0 for unknown).
    pub confidence: F64,
    /// Saturation temperature at the inlet pressure minus the inlet temperature \[K\].
    pub inlet_subcooling_k: Option<F64>,
    /// Outlet temperature minus saturation at the discharge pressure \[K\].
    pub outlet_superheat_k: Option<F64>,
    /// Mean acoustic level minus the healthy baseline \[dB\].
    pub acoustic_excess_db: Option<F64>,
    /// Steam lost \[kg/h\] (0 unless it passes steam).
    pub loss_kg_h: F64,
    /// Energy to replace it \[kW\].
    pub loss_kw: F64,
    /// Money a year (plant currency).
    pub loss_cost_per_year: F64,
    /// Share of the orifice taken to pass steam (1 when blown open).
    pub open_area_fraction: Option<F64>,
    /// True when that share was inferred from the acoustic level.
    pub loss_from_acoustic: bool,
    /// The evidence, one sentence each.
    pub evidence: Vec<String>,
}

impl TrapStatus {
    /// The record of an assessment.
    pub fn new(
        plant: &str,
        trap: &str,
        trap_type: TrapType,
        window_start_ms: u64,
        window_end_ms: u64,
        assessment: &TrapAssessment,
    ) -> TrapStatus {
        let loss = assessment.loss.as_ref();
        TrapStatus {
            plant: plant.to_owned(),
            window_start_ms,
            trap: trap.to_owned(),
            window_end_ms,
            trap_type,
            state: assessment.state,
            confidence: F64(assessment.confidence),
            inlet_subcooling_k: assessment.inlet_subcooling.and_then(|d| finite(d.kelvin())),
            outlet_superheat_k: assessment.outlet_superheat.and_then(|d| finite(d.kelvin())),
            acoustic_excess_db: assessment.acoustic_excess_db.and_then(finite),
            loss_kg_h: F64(loss.map_or(0.0, |l| l.loss.steam_loss.kg_per_h())),
            loss_kw: F64(loss.map_or(0.0, |l| l.loss.energy_loss.kw())),
            loss_cost_per_year: F64(loss.map_or(0.0, |l| l.loss.cost_per_year)),
            open_area_fraction: loss.and_then(|l| finite(l.open_area_fraction)),
            loss_from_acoustic: loss.is_some_and(|l| l.from_acoustic),
            evidence: assessment.evidence.clone(),
        }
    }
}

/// Every trap of the window's plant, assessed, in the plant's order.
pub fn assess_traps(view: &WindowView<'_>) -> Vec<TrapAssessment> {
    let plant = view.plant();
    plant
        .plant
        .traps
        .iter()
        .enumerate()
        .map(|(index, trap)| {
            let thresholds = plant
                .trap_thresholds
                .get(index)
                .copied()
                .unwrap_or_else(|| {
                    steamflow_operators::analysis::trap_status::TrapThresholds::for_type(
                        trap.trap_type,
                    )
                });
            match view.trap_observation(index) {
                Some(observation) => assess_trap(&observation, &thresholds, &plant.pricing),
                None => TrapAssessment {
                    state: TrapState::Unknown,
                    confidence: 0.0,
                    evidence: vec!["the trap is not in the plant's network".to_owned()],
                    inlet_subcooling: None,
                    outlet_superheat: None,
                    acoustic_excess_db: None,
                    loss: None,
                },
            }
        })
        .collect()
}

impl OutputRecord for TrapStatus {
    fn write_fields(&self, _names: &KeyRegistry, out: &mut String) {
        Fields::new(out)
            .str("plant", &self.plant)
            .str("trap", &self.trap)
            .str("trap_type", self.trap_type.as_str())
            .time("window_start", self.window_start_ms)
            .time("window_end", self.window_end_ms)
            .str("state", self.state.as_str())
            .num("confidence", self.confidence)
            .opt("inlet_subcooling_k", self.inlet_subcooling_k)
            .opt("outlet_superheat_k", self.outlet_superheat_k)
            .opt("acoustic_excess_db", self.acoustic_excess_db)
            .num("loss_kg_h", self.loss_kg_h)
            .num("loss_kw", self.loss_kw)
            .num("loss_cost_per_year", self.loss_cost_per_year)
            .opt("open_area_fraction", self.open_area_fraction)
            .bool("loss_from_acoustic", self.loss_from_acoustic)
            .strs("evidence", &self.evidence);
    }
}
