//! `balances` and `losses`: each plant's mass and energy balance per
//! window, closure against the tolerances of `[analysis.balance]` (±5 %
//! mass, ±7 % energy by default), and the loss breakdown — one `losses`
//! row per plant, window and category.
//!
//! The balance is [`plant_balance`] over the window means of the plant's
//! tags, with each trap's steam loss from its assessment; the window's
//! leaks are then added with [`PlantBalance::with_leaks`], so the leak term
//! and the unaccounted rest are those after leak detection. A window whose
//! balance cannot be formed (no boiler flow reading, a state outside IF97)
//! has no row; the leak detector sees it as a missing window.

use serde::{Deserialize, Serialize};
use steamflow_operators::analysis::plant_balance::{LossCategory, PlantBalance, plant_balance};
use steamflow_operators::analysis::trap_status::TrapAssessment;
use steamflow_operators::units::MassFlow;

use super::fields::{F64, Fields};
use super::model::WindowView;
use crate::dataflow::key::KeyRegistry;
use crate::dataflow::render::OutputRecord;

/// The balance before leaks of the window, with each trap's steam loss;
/// the error in words when it cannot be formed.
pub fn balance_before_leaks(
    view: &WindowView<'_>,
    traps: &[TrapAssessment],
    config: &steamflow_operators::analysis::plant_balance::BalanceConfig,
) -> Result<PlantBalance, String> {
    let plant = view.plant();
    let trap_steam: Vec<MassFlow> = traps.iter().map(TrapAssessment::steam_loss).collect();
    plant_balance(
        &plant.plant,
        &plant.network,
        &view.plant_window(),
        &trap_steam,
        &plant.pricing,
        config,
    )
    .map_err(|e| e.to_string())
}

/// One plant's balance in one window (the `balances` stream).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct BalanceRecord {
    /// The plant.
    pub plant: String,
    /// Window start \[ms\].
    pub window_start_ms: u64,
    /// Window end (exclusive) \[ms\].
    pub window_end_ms: u64,
    /// Steam generated \[kg/h\].
    pub generation_kg_h: F64,
    /// Flash steam recovered into headers \[kg/h\].
    pub flash_recovered_kg_h: F64,
    /// Useful steam use of the consumers \[kg/h\].
    pub consumption_kg_h: F64,
    /// Supply − use − pipe − trap losses: what the leak detector watches \[kg/h\].
    pub residual_before_leaks_kg_h: F64,
    /// Known losses (pipe, trap, leak) \[kg/h\].
    pub known_losses_kg_h: F64,
    /// What the mass balance cannot explain \[kg/h\].
    pub mass_unaccounted_kg_h: F64,
    /// (use + known losses) / supply × 100 \[%\].
    pub mass_closure_pct: F64,
    /// Within the mass tolerance.
    pub mass_closes: bool,
    /// Heat put into the steam, m (h_gen − h_fw) \[kW\].
    pub energy_input_kw: F64,
    /// Heat the feed system adds to make-up and returned condensate \[kW\].
    pub feedwater_heating_kw: F64,
    /// Heat the consumers use \[kW\].
    pub useful_output_kw: F64,
    /// Useful output / energy input.
    pub efficiency: F64,
    /// (useful + explained losses) / (input + feedwater heating) × 100 \[%\].
    pub energy_closure_pct: F64,
    /// What the energy balance cannot explain \[kW\].
    pub energy_unaccounted_kw: F64,
    /// Within the energy tolerance.
    pub energy_closes: bool,
    /// All six categories together, unaccounted included (it can be
    /// negative when the meters account for more than was supplied) \[kg/h\].
    pub total_loss_kg_h: F64,
    /// All six categories together \[kW\].
    pub total_loss_kw: F64,
    /// All six categories together, money a year.
    pub total_loss_cost_per_year: F64,
    /// Condensate formed \[kg/h\].
    pub condensate_produced_kg_h: F64,
    /// Condensate returned \[kg/h\].
    pub condensate_returned_kg_h: F64,
    /// Returned / produced.
    pub condensate_recovery_rate: F64,
    /// Flash steam vented \[kg/h\].
    pub flash_vented_kg_h: F64,
    /// Mass-weighted enthalpy of the steam generated \[kJ/kg\].
    pub steam_enthalpy_kj_kg: F64,
    /// Estimates the window forced, in words.
    pub assumptions: Vec<String>,
}

impl BalanceRecord {
    /// The record of a balance (with its leaks).
    pub fn new(
        plant: &str,
        window_start_ms: u64,
        window_end_ms: u64,
        b: &PlantBalance,
    ) -> BalanceRecord {
        let losses = b.losses.all();
        let total = |f: &dyn Fn(LossCategory) -> f64| -> F64 {
            F64(losses.iter().map(|(c, _)| f(*c)).sum())
        };
        BalanceRecord {
            plant: plant.to_owned(),
            window_start_ms,
            window_end_ms,
            generation_kg_h: F64(b.generation.kg_per_h()),
            flash_recovered_kg_h: F64(b.flash_recovered.kg_per_h()),
            consumption_kg_h: F64(b.consumption.kg_per_h()),
            residual_before_leaks_kg_h: F64(b.residual_before_leaks.kg_per_h()),
            known_losses_kg_h: F64(b.mass.known_losses.kg_per_h()),
            mass_unaccounted_kg_h: F64(b.mass.unaccounted.kg_per_h()),
            mass_closure_pct: F64(b.mass.closure_percent),
            mass_closes: b.mass_closes,
            energy_input_kw: F64(b.energy.input.kw()),
            feedwater_heating_kw: F64(b.feedwater_heating.kw()),
            useful_output_kw: F64(b.energy.useful_output.kw()),
            efficiency: F64(b.efficiency()),
            energy_closure_pct: F64(b.energy_closure_percent),
            energy_unaccounted_kw: F64(b.energy_unaccounted.kw()),
            energy_closes: b.energy_closes,
            total_loss_kg_h: total(&|c| b.losses.get(c).mass.kg_per_h()),
            total_loss_kw: total(&|c| b.losses.get(c).energy.kw()),
            total_loss_cost_per_year: total(&|c| b.losses.get(c).cost_per_year),
            condensate_produced_kg_h: F64(b.condensate.produced.kg_per_h()),
            condensate_returned_kg_h: F64(b.condensate.returned.kg_per_h()),
            condensate_recovery_rate: F64(b.condensate.recovery_rate),
            flash_vented_kg_h: F64(b.condensate.flash_vented.kg_per_h()),
            steam_enthalpy_kj_kg: F64(b.steam_enthalpy.kj_per_kg()),
            assumptions: b.assumptions.clone(),
        }
    }
}

impl OutputRecord for BalanceRecord {
    fn write_fields(&self, _names: &KeyRegistry, out: &mut String) {
        Fields::new(out)
            .str("plant", &self.plant)
            .time("window_start", self.window_start_ms)
            .time("window_end", self.window_end_ms)
            .num("generation_kg_h", self.generation_kg_h)
            .num("flash_recovered_kg_h", self.flash_recovered_kg_h)
            .num("consumption_kg_h", self.consumption_kg_h)
            .num(
                "residual_before_leaks_kg_h",
                self.residual_before_leaks_kg_h,
            )
            .num("known_losses_kg_h", self.known_losses_kg_h)
            .num("mass_unaccounted_kg_h", self.mass_unaccounted_kg_h)
            .num("mass_closure_pct", self.mass_closure_pct)
            .bool("mass_closes", self.mass_closes)
            .num("energy_input_kw", self.energy_input_kw)
            .num("feedwater_heating_kw", self.feedwater_heating_kw)
            .num("useful_output_kw", self.useful_output_kw)
            .num("efficiency", self.efficiency)
            .num("energy_closure_pct", self.energy_closure_pct)
            .num("energy_unaccounted_kw", self.energy_unaccounted_kw)
            .bool("energy_closes", self.energy_closes)
            .num("total_loss_kg_h", self.total_loss_kg_h)
            .num("total_loss_kw", self.total_loss_kw)
            .num("total_loss_cost_per_year", self.total_loss_cost_per_year)
            .num("condensate_produced_kg_h", self.condensate_produced_kg_h)
            .num("condensate_returned_kg_h", self.condensate_returned_kg_h)
            .num("condensate_recovery_rate", self.condensate_recovery_rate)
            .num("flash_vented_kg_h", self.flash_vented_kg_h)
            .num("steam_enthalpy_kj_kg", self.steam_enthalpy_kj_kg)
            .strs("assumptions", &self.assumptions);
    }
}

/// One loss category of one plant in one window (the `losses` stream).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LossRecord {
    /// The plant.
    pub plant: String,
    /// Window start \[ms\].
    pub window_start_ms: u64,
    /// The category.
    pub category: LossCategory,
    /// Window end (exclusive) \[ms\].
    pub window_end_ms: u64,
    /// Mass lost \[kg/h\] (pipe: steam condensed; flash and condensate: water).
    pub loss_kg_h: F64,
    /// Energy lost \[kW\].
    pub loss_kw: F64,
    /// Money a year (plant currency).
    pub cost_per_year: F64,
    /// Money a day of operation.
    pub cost_per_day: F64,
}

impl LossRecord {
    /// The six rows of a balance, in the seed's category order.
    pub fn of(
        plant: &str,
        window_start_ms: u64,
        window_end_ms: u64,
        b: &PlantBalance,
    ) -> Vec<LossRecord> {
        b.losses
            .all()
            .iter()
            .map(|(category, term)| LossRecord {
                plant: plant.to_owned(),
                window_start_ms,
                category: *category,
                window_end_ms,
                loss_kg_h: F64(term.mass.kg_per_h()),
                loss_kw: F64(term.energy.kw()),
                cost_per_year: F64(term.cost_per_year),
                cost_per_day: F64(b.cost_per_day(*category)),
            })
            .collect()
    }
}

impl OutputRecord for LossRecord {
    fn write_fields(&self, _names: &KeyRegistry, out: &mut String) {
        Fields::new(out)
            .str("plant", &self.plant)
            .time("window_start", self.window_start_ms)
            .time("window_end", self.window_end_ms)
            .str("category", self.category.as_str())
            .num("loss_kg_h", self.loss_kg_h)
            .num("loss_kw", self.loss_kw)
            .num("cost_per_year", self.cost_per_year)
            .num("cost_per_day", self.cost_per_day);
    }
}
