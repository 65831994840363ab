//! `recommendations`: per plant and base window, what to do about the
//! window's losses — every candidate project appraised, ranked by NPV, and
//! marked in or out of the portfolio the optimizer chooses under the
//! budget, the condensate floor and the header limits
//! (`[analysis.recommendations]`).
//!
//! The stream is derived from `trap_statuses`, `leaks` and `balances`
//! grouped by (plant, window) in a differential `reduce`: when late data
//! changes a window's analysis, its recommendations are retracted and
//! recomputed, so a recommendation that no longer applies (a trap found
//! healthy after all) disappears from that window. The current list of a
//! plant is its latest window's.
//!
//! What does not change from window to window — the bare segments' heat
//! losses, the mains' heat loss behind each header whose pressure may be
//! lowered, the plant's prices — is computed once per plant
//! ([`PlantDecisions::new`]).

use std::sync::Arc;

use differential_dataflow::collection::vec::Collection as VecCollection;
use serde::{Deserialize, Serialize};
use steamflow_decisions::rank::AppraisalSettings;
use steamflow_decisions::{
    BareSegment, Candidate, CondensateState, Constraints, CostAssumptions, FailedTrap, HeaderLimit,
    HeaderOption, LeakFound, Prices, Problem, Situation, Weights, candidates, choose, pareto_front,
    recommend,
};
use steamflow_operators::analysis::heat_loss::{Insulation, PipeHeatLossInput, pipe_heat_loss};
use steamflow_operators::analysis::trap_status::TrapState;
use steamflow_operators::economics::{PlantSteamCost, plant_steam_cost};
use steamflow_operators::if97::{h_pt, saturation_temperature, state_px};
use steamflow_operators::plant::{Economics, Plant};
use steamflow_operators::units::{Length, Pressure, Temperature, ThermalConductivity};

use super::balance::BalanceRecord;
use super::fields::{F64, Fields, finite};
use super::leaks::LeakRecord;
use super::model::{AnalysisModel, PlantModel};
use super::traps::TrapStatus;
use crate::config::recommendations::RecommendationConfig;
use crate::dataflow::key::KeyRegistry;
use crate::dataflow::render::OutputRecord;
use crate::dataflow::time::Time;

/// One recommendation of one plant in one window (the `recommendations`
/// stream).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RecommendationRecord {
    /// The plant.
    pub plant: String,
    /// Window start \[ms\].
    pub window_start_ms: u64,
    /// 1 is the first to do.
    pub rank: u32,
    /// Window end (exclusive) \[ms\].
    pub window_end_ms: u64,
    /// `<kind>:<asset>`, stable from window to window.
    pub id: String,
    /// `repair_trap`, `fix_leak`, `insulate`, `raise_condensate_recovery`,
    /// `lower_header_pressure`.
    pub kind: String,
    /// Where: the trap, segment, header or condensate system.
    pub asset: String,
    /// What to do.
    pub action: String,
    /// Steam saved \[kg/h\].
    pub savings_kg_h: F64,
    /// Energy saved \[kW\].
    pub savings_kw: F64,
    /// Money saved a year (plant currency).
    pub savings_per_year: F64,
    /// CO2 avoided \[t/year\].
    pub co2_t_per_year: F64,
    /// What it costs.
    pub capex: F64,
    /// Net present value over the project life.
    pub npv: F64,
    /// Internal rate of return, when there is exactly one.
    pub irr: Option<F64>,
    /// Simple payback \[years\].
    pub simple_payback_years: Option<F64>,
    /// Discounted payback \[years\].
    pub discounted_payback_years: Option<F64>,
    /// `low`, `medium`, `high`.
    pub difficulty: String,
    /// What it does to operations.
    pub operational_impact: String,
    /// In the portfolio the optimizer chose.
    pub in_portfolio: bool,
    /// Why it is in the portfolio or not.
    pub portfolio_reason: String,
    /// Why it ranks where it does.
    pub why: String,
    /// How its savings were estimated.
    pub basis: String,
    /// The NPV swing of each sensitivity factor, widest first:
    /// `factor: low..high`.
    pub sensitivity: Vec<String>,
}

impl OutputRecord for RecommendationRecord {
    fn write_fields(&self, _names: &KeyRegistry, out: &mut String) {
        Fields::new(out)
            .str("plant", &self.plant)
            .time("window_start", self.window_start_ms)
            .time("window_end", self.window_end_ms)
            .int("rank", self.rank)
            .str("id", &self.id)
            .str("kind", &self.kind)
            .str("asset", &self.asset)
            .str("action", &self.action)
            .num("savings_kg_h", self.savings_kg_h)
            .num("savings_kw", self.savings_kw)
            .num("savings_per_year", self.savings_per_year)
            .num("co2_t_per_year", self.co2_t_per_year)
            .num("capex", self.capex)
            .num("npv", self.npv)
            .opt("irr", self.irr)
            .opt("simple_payback_years", self.simple_payback_years)
            .opt("discounted_payback_years", self.discounted_payback_years)
            .str("difficulty", &self.difficulty)
            .str("operational_impact", &self.operational_impact)
            .bool("in_portfolio", self.in_portfolio)
            .str("portfolio_reason", &self.portfolio_reason)
            .str("why", &self.why)
            .str("basis", &self.basis)
            .strs("sensitivity", &self.sensitivity);
    }
}

/// What one plant's decisions rest on that does not change per window.
#[derive(Clone, Debug, PartialEq)]
pub struct PlantDecisions {
    prices: Prices,
    costs: CostAssumptions,
    appraisal: AppraisalSettings,
    weights: Weights,
    budget: f64,
    min_recovery: f64,
    bare_segments: Vec<BareSegment>,
    headers: Vec<HeaderOption>,
    header_limits: Vec<HeaderLimit>,
    condensate_heat_kw_per_kg_h: f64,
    economics: Economics,
}

impl PlantDecisions {
    /// The plant's prices, costs and static candidates. Parts that cannot
    /// be computed (a segment without a diameter) are left out, never
    /// guessed.
    pub fn new(model: &PlantModel, settings: &RecommendationConfig) -> PlantDecisions {
        let plant = &model.plant;
        let economics = plant.economics.clone().unwrap_or_default();
        let pricing = &model.pricing;
        let hours = pricing.hours().unwrap_or(8760.0);
        let main_pressure = main_header_pressure(plant);
        let h_steam = main_pressure.and_then(|p| state_px(p, 1.0).ok().map(|s| s.h));
        let money_per_kwh = h_steam
            .and_then(|h| pricing.energy_price_per_j(h).ok())
            .map_or(0.0, |per_j| per_j * 3.6e6);
        let efficiency = (economics.boiler_efficiency_pct / 100.0).clamp(0.01, 1.0);
        let co2_t_per_mwh = economics.co2_kg_per_gj_fuel * 3.6 / efficiency / 1000.0;
        let fuel_share = match plant_steam_cost(plant) {
            Ok(PlantSteamCost::Computed(c)) if c.total_per_tonne > 0.0 => {
                (c.fuel + c.carbon) / c.total_per_tonne
            }
            _ => 1.0,
        };
        let costs = settings.costs.assumptions();
        let ambient = plant.ambient.design_temperature();
        let limits = settings.min_header_pressure_barg.get(&model.id);
        let mut headers = Vec::new();
        let mut header_limits = Vec::new();
        for header in &plant.headers {
            let Some(&min) = limits.and_then(|l| l.get(&header.id)) else {
                continue;
            };
            header_limits.push(HeaderLimit {
                header: header.id.clone(),
                min_barg: min,
                max_barg: header.design_pressure_barg,
            });
            let (Ok(t_now), Ok(t_min)) = (
                saturation_temperature(header.operating_pressure()),
                saturation_temperature(Pressure::from_barg(min)),
            ) else {
                continue;
            };
            let mains: f64 = plant
                .segments
                .iter()
                .filter(|s| root_header(plant, &s.from) == Some(header.id.as_str()))
                .filter_map(|s| segment_heat_loss_kw(s, t_now, ambient, None))
                .sum();
            headers.push(HeaderOption {
                header: header.id.clone(),
                operating_barg: header.operating_pressure_barg,
                min_allowed_barg: min,
                mains_heat_loss_kw: mains,
                saturation_c: t_now.celsius(),
                saturation_at_min_c: t_min.celsius(),
                ambient_c: ambient.celsius(),
            });
        }
        let insulation = Insulation {
            thickness: Length::from_mm(costs.insulation_thickness_mm),
            conductivity: ThermalConductivity::from_w_per_m_k(0.04),
        };
        let bare_segments = plant
            .segments
            .iter()
            .filter(|s| s.is_bare())
            .filter_map(|s| {
                let header = root_header(plant, &s.from)?;
                let p = plant
                    .headers
                    .iter()
                    .find(|h| h.id == header)?
                    .operating_pressure();
                let t = saturation_temperature(p).ok()?;
                let bare = segment_heat_loss_kw(s, t, ambient, None)?;
                let insulated = segment_heat_loss_kw(s, t, ambient, Some(insulation))?;
                let hfg = state_px(p, 1.0).ok()?.h.j_per_kg() - state_px(p, 0.0).ok()?.h.j_per_kg();
                Some(BareSegment {
                    id: s.id.clone(),
                    length_m: s.length_m,
                    bare_kw: bare,
                    insulated_kw: insulated,
                    steam_kg_h: (bare - insulated).max(0.0) * 1000.0 / hfg * 3600.0,
                })
            })
            .collect();
        let condensate_heat_kw_per_kg_h = plant
            .condensate_returns
            .first()
            .and_then(|r| {
                let returned = state_px(r.receiver_pressure(), 0.0).ok()?.h.j_per_kg();
                let makeup = h_pt(
                    Pressure::from_barg(0.0),
                    Temperature::from_celsius(r.makeup_water_temperature_c),
                )
                .ok()?
                .j_per_kg();
                Some((returned - makeup).max(0.0) / 3600.0 / 1000.0)
            })
            .unwrap_or(0.0);
        PlantDecisions {
            prices: Prices {
                money_per_kwh,
                co2_t_per_mwh,
                water_per_t: pricing.water_cost_per_tonne,
                hours_per_year: hours,
                fuel_share,
            },
            costs,
            appraisal: AppraisalSettings {
                discount_rate: economics.discount_rate_pct / 100.0,
                life_years: economics.project_life_years,
                operating_hours: hours,
                ranges: settings.sensitivity.ranges(),
            },
            weights: settings.weights.weights(),
            budget: settings.budget,
            min_recovery: settings.min_condensate_recovery_pct / 100.0,
            bare_segments,
            headers,
            header_limits,
            condensate_heat_kw_per_kg_h,
            economics,
        }
    }
}

/// The header a segment's chain of `from`s starts at.
fn root_header<'p>(plant: &'p Plant, from: &'p str) -> Option<&'p str> {
    let mut at = from;
    for _ in 0..=plant.segments.len() {
        if plant.headers.iter().any(|h| h.id == at) {
            return Some(at);
        }
        at = plant.segments.iter().find(|s| s.id == at)?.from.as_str();
    }
    None
}

/// Heat lost by a segment at steam temperature `t` \[kW\]: with its own
/// insulation, or with `insulation` instead when given.
fn segment_heat_loss_kw(
    s: &steamflow_operators::plant::PipeSegment,
    t: Temperature,
    ambient: Temperature,
    insulation: Option<Insulation>,
) -> Option<f64> {
    let od = s.outer_diameter()?;
    let mut input = PipeHeatLossInput::bare(t, ambient, od, s.length());
    input.emissivity = s.surface_emissivity;
    input.insulation = insulation.or((!s.is_bare()).then(|| Insulation {
        thickness: s.insulation_thickness(),
        conductivity: s.insulation_conductivity(),
    }));
    pipe_heat_loss(&input).ok().map(|l| l.total.kw())
}

/// The pressure of the header the boilers feed (the highest).
fn main_header_pressure(plant: &Plant) -> Option<Pressure> {
    plant
        .headers
        .iter()
        .map(|h| h.operating_pressure_barg)
        .fold(None, |m: Option<f64>, p| Some(m.map_or(p, |m| m.max(p))))
        .map(Pressure::from_barg)
}

/// One window's analysis of one plant, as the recommendations read it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum WindowPart {
    /// A row of `trap_statuses`.
    Trap(TrapStatus),
    /// A row of `leaks`.
    Leak(LeakRecord),
    /// The row of `balances`.
    Balance(BalanceRecord),
}

/// A trap that passes steam or floods its equipment.
fn needs_repair(state: TrapState) -> bool {
    state.loses_steam() || state == TrapState::Blocked
}

/// The recommendations of one plant's window.
pub fn recommend_window(
    plant: &str,
    decisions: &PlantDecisions,
    window: (u64, u64),
    parts: &[&WindowPart],
) -> Vec<RecommendationRecord> {
    let mut situation = Situation {
        bare_segments: decisions.bare_segments.clone(),
        headers: decisions.headers.clone(),
        ..Situation::default()
    };
    let mut balance: Option<&BalanceRecord> = None;
    for part in parts {
        match part {
            WindowPart::Trap(t) if needs_repair(t.state) => {
                situation.failed_traps.push(FailedTrap {
                    id: t.trap.clone(),
                    trap_type: t.trap_type.as_str().to_owned(),
                    state: t.state.as_str().to_owned(),
                    confidence: t.confidence.get(),
                    loss_kg_h: t.loss_kg_h.get(),
                    loss_kw: t.loss_kw.get(),
                    cost_per_year: t.loss_cost_per_year.get(),
                })
            }
            WindowPart::Trap(_) => {}
            WindowPart::Leak(l) => situation.leaks.push(LeakFound {
                segment: l.segment.clone(),
                loss_kg_h: l.size_kg_h.get(),
                loss_kw: l.energy_kw.map_or(0.0, F64::get),
                cost_per_year: l.cost_per_year.map_or(0.0, F64::get),
                equivalent_diameter_mm: l.equivalent_diameter_mm.map(F64::get),
                confidence: l.confidence.get(),
            }),
            WindowPart::Balance(b) => balance = Some(b),
        }
    }
    situation.condensate = balance.map(|b| CondensateState {
        produced_kg_h: b.condensate_produced_kg_h.get().max(0.0),
        returned_kg_h: b.condensate_returned_kg_h.get().max(0.0),
        heat_kw_per_kg_h: decisions.condensate_heat_kw_per_kg_h,
    });
    let all = candidates(&situation, &decisions.prices, &decisions.costs);
    let choice = portfolio(decisions, &all, balance);
    let (ranked, _refused) = recommend(&all, &decisions.appraisal, choice.as_ref());
    ranked
        .into_iter()
        .map(|r| RecommendationRecord {
            plant: plant.to_owned(),
            window_start_ms: window.0,
            rank: u32::try_from(r.rank).unwrap_or(u32::MAX),
            window_end_ms: window.1,
            id: r.candidate.id.clone(),
            kind: r.candidate.kind.as_str().to_owned(),
            asset: r.candidate.asset.clone(),
            action: r.candidate.action.clone(),
            savings_kg_h: F64(r.candidate.savings.steam_kg_h),
            savings_kw: F64(r.candidate.savings.energy_kw),
            savings_per_year: F64(r.candidate.savings.money_per_year),
            co2_t_per_year: F64(r.candidate.savings.co2_t_per_year),
            capex: F64(r.candidate.capex),
            npv: F64(r.appraisal.npv),
            irr: r.appraisal.irr.unique().and_then(finite),
            simple_payback_years: r.appraisal.simple_payback_years.and_then(finite),
            discounted_payback_years: r.appraisal.discounted_payback_years.and_then(finite),
            difficulty: r.candidate.difficulty.as_str().to_owned(),
            operational_impact: r.candidate.operational_impact.clone(),
            in_portfolio: r.in_portfolio,
            portfolio_reason: r.portfolio_reason.unwrap_or_default(),
            why: r.why,
            basis: r.candidate.basis.clone(),
            sensitivity: r
                .tornado
                .iter()
                .map(|t| {
                    format!(
                        "{}: {:.0}..{:.0}",
                        t.factor.as_str(),
                        t.npv_low.min(t.npv_high),
                        t.npv_low.max(t.npv_high)
                    )
                })
                .collect(),
        })
        .collect()
}

/// The optimizer's choice among `all`; `None` when no portfolio is
/// feasible (each recommendation then says nothing about the portfolio).
fn portfolio(
    d: &PlantDecisions,
    all: &[Candidate],
    balance: Option<&BalanceRecord>,
) -> Option<steamflow_decisions::Choice> {
    let energy: f64 = all.iter().map(|c| c.savings.energy_kw).sum::<f64>()
        + balance.map_or(0.0, |b| b.total_loss_kw.get().max(0.0));
    let hours = d.prices.hours_per_year;
    let problem = Problem {
        candidates: all.to_vec(),
        baseline_energy_loss_kw: energy,
        baseline_co2_t_per_year: steamflow_operators::economics::co2_tonnes_per_year(
            &d.economics,
            energy,
            hours,
        ),
        constraints: Constraints {
            budget: d.budget,
            min_condensate_recovery: d.min_recovery,
            condensate_produced_kg_h: balance
                .map_or(0.0, |b| b.condensate_produced_kg_h.get().max(0.0)),
            condensate_returned_kg_h: balance
                .map_or(0.0, |b| b.condensate_returned_kg_h.get().max(0.0)),
            header_limits: d.header_limits.clone(),
        },
    };
    let front = pareto_front(&problem).ok()?;
    choose(&problem, &front, &d.weights)
}

/// The `recommendations` stream of `model`'s plants from the analysis
/// streams (see the module docs).
pub fn recommendations<'scope>(
    model: &AnalysisModel,
    trap_statuses: &VecCollection<'scope, Time, TrapStatus, isize>,
    leaks: &VecCollection<'scope, Time, LeakRecord, isize>,
    balances: &VecCollection<'scope, Time, BalanceRecord, isize>,
) -> VecCollection<'scope, Time, RecommendationRecord, isize> {
    let settings = &model.config.recommendations;
    let plants: Arc<Vec<(String, PlantDecisions)>> = Arc::new(
        model
            .plants()
            .iter()
            .map(|p| (p.id.clone(), PlantDecisions::new(p, settings)))
            .collect(),
    );
    let key = |plant: &str, start: u64, end: u64| (plant.to_owned(), start, end);
    let parts = trap_statuses
        .clone()
        .filter(|t| needs_repair(t.state))
        .map(move |t| {
            (
                key(&t.plant, t.window_start_ms, t.window_end_ms),
                WindowPart::Trap(t),
            )
        })
        .concat(leaks.clone().map(move |l| {
            (
                key(&l.plant, l.window_start_ms, l.window_end_ms),
                WindowPart::Leak(l),
            )
        }))
        .concat(balances.clone().map(move |b| {
            (
                key(&b.plant, b.window_start_ms, b.window_end_ms),
                WindowPart::Balance(b),
            )
        }));
    parts
        .reduce(move |(plant, start, end), input, output| {
            let Some((_, decisions)) = plants.iter().find(|(id, _)| id == plant) else {
                return;
            };
            let parts: Vec<&WindowPart> = input
                .iter()
                .filter(|(_, count)| *count > 0)
                .map(|(part, _)| *part)
                .collect();
            for record in recommend_window(plant, decisions, (*start, *end), &parts) {
                output.push((record, 1));
            }
        })
        .map(|(_, record)| record)
}
