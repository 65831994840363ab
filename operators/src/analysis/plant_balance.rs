//! The mass and energy balance of one plant over one window, with the seed
//! design's loss breakdown: pipe, trap, leak, flash, condensate,
//! unaccounted.
//!
//! # Mass (steam side)
//!
//! Steam supplied = generation (boiler meters) + flash steam recovered into
//! headers; it goes to the consumers (their useful use), condenses in the
//! mains (pipe loss: each segment's heat loss from [`super::heat_loss`]
//! with its insulation and the ambient, over h_fg), blows through failed
//! traps (from the trap assessments), leaks (from the leak detections), or
//! is unaccounted:
//!
//! m_unaccounted = m_gen + m_flash,recovered − m_use − m_pipe − m_trap − m_leak,
//!
//! checked by [`super::balance::mass_balance`] against ±5 % by default. A
//! consumer's meter sits upstream of its traps, so the steam its traps pass
//! is taken out of its metered flow to give its useful use. The seed puts
//! m_flash among the steam-side losses; flash steam forms from condensate
//! *after* the consumers' meters, so counting it there counts that steam
//! twice. Here vented flash is a loss of the condensate system (mass and
//! heat, reported in its category) and recovered flash is a steam source.
//! `residual_before_leaks` (the same without m_leak) is what the leak
//! detector watches ([`super::leak_detection`]).
//!
//! # Energy
//!
//! The seed's terms, from IF97 enthalpies, via
//! [`super::balance::energy_balance`]: E_in = Σ m_gen (h_gen − h_fw),
//! useful E_out = Σ m_use (h_steam − h_f(p_consumer)) (condensate leaves
//! saturated), efficiency η = E_out / E_in. Losses are valued on one basis
//! with [`super::loss_pricing`] (and the trap and leak reports): mass that
//! leaves the cycle costs m (h − h_makeup), heat that leaves the pipes
//! costs Q. On that basis the feed system must also heat make-up water and
//! returned condensate up to feedwater temperature,
//!
//! F = m_makeup (h_fw − h_makeup) + Σ m_returned (h_fw − h_return),  m_makeup = m_gen − m_returned,
//!
//! and the first law closes exactly:
//!
//! E_in + F = E_out + Q_pipe + E_trap + E_leak + E_flash + E_condensate + E_unaccounted.
//!
//! The energy closure, (E_out + known losses)/(E_in + F), is checked
//! against ±7 % by default.
//!
//! # Condensate
//!
//! Where each consumer's and each main's condensate goes follows the
//! plant's network (the `condensate_path` submodule): flashed and vented at receivers,
//! drains and venting flash vessels (flash: m x (h_g − h_makeup)), drained
//! (condensate: m (h_f,atm − h_makeup)), recovered as flash steam, or
//! returned. A metered return replaces the modelled one; a meter that
//! reads less than the model counts the difference as condensate lost.
//!
//! # Money
//!
//! Trap, leak and unaccounted steam: tonnes × steam cost. Pipe, flash and
//! condensate heat: at the steam's price per unit energy; flash and
//! condensate add the water cost of the mass they lose.
//!
//! Every estimate the window forced (a design value for a missing tag, a
//! segment without a drip trap) is listed in `assumptions`.

mod condensate_path;
mod window;

pub use window::{
    BoilerWindow, ConsumerWindow, FlashVesselWindow, HeaderWindow, PlantWindow, ReturnWindow,
    SegmentWindow,
};

use condensate_path::{CondensateFlows, Outflow, follow};

use super::balance::{
    ConsumerFlow, EnergyBalance, KnownLosses, MassBalance, energy_balance, mass_balance,
};
use super::error::{CalcError, Result, finite, non_negative};
use super::heat_loss::{
    Convection, Insulation, PipeHeatLossInput, condensation_rate_at_pressure, pipe_heat_loss,
};
use super::leak_detection::LeakDetection;
use super::loss_pricing::LossPricing;
use crate::if97::{Saturation, h_pt, t_ph};
use crate::plant::{Discharge, Feed, HeaderSupply, Network, Plant, SegmentStart, TrapSite, Visit};
use crate::units::{
    MassFlow, Power, Pressure, STANDARD_ATMOSPHERE_PA, SpecificEnthalpy, Temperature, Velocity,
};

/// A measured temperature this far above saturation marks superheated steam \[K\].
pub const SUPERHEAT_MARGIN_K: f64 = 1.0;

/// Closure tolerances.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct BalanceConfig {
    /// The mass balance closes within ± this \[%\].
    pub mass_tolerance_pct: f64,
    /// The energy balance closes within ± this \[%\].
    pub energy_tolerance_pct: f64,
}

impl Default for BalanceConfig {
    /// The seed design's ±5 % mass and ±7 % energy.
    fn default() -> Self {
        BalanceConfig {
            mass_tolerance_pct: 5.0,
            energy_tolerance_pct: 7.0,
        }
    }
}

/// A category of the loss breakdown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum LossCategory {
    /// Heat lost by the pipework (and the steam it condenses).
    Pipe,
    /// Live steam through failed traps.
    Trap,
    /// Steam leaks.
    Leak,
    /// Flash steam vented.
    Flash,
    /// Condensate not returned.
    Condensate,
    /// What the balance cannot explain.
    Unaccounted,
}

impl LossCategory {
    /// Every category, in the seed's order.
    pub const ALL: [LossCategory; 6] = [
        LossCategory::Pipe,
        LossCategory::Trap,
        LossCategory::Leak,
        LossCategory::Flash,
        LossCategory::Condensate,
        LossCategory::Unaccounted,
    ];

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            LossCategory::Pipe => "pipe",
            LossCategory::Trap => "trap",
            LossCategory::Leak => "leak",
            LossCategory::Flash => "flash",
            LossCategory::Condensate => "condensate",
            LossCategory::Unaccounted => "unaccounted",
        }
    }
}

/// One loss: mass, energy and money a year.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LossTerm {
    /// Mass lost (for pipe: steam condensed; for flash and condensate:
    /// water leaving the condensate system).
    pub mass: MassFlow,
    /// Energy (see the module docs for the basis).
    pub energy: Power,
    /// Money a year (plant currency).
    pub cost_per_year: f64,
}

/// The loss breakdown.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LossBreakdown {
    /// Pipe heat loss.
    pub pipe: LossTerm,
    /// Failed traps.
    pub trap: LossTerm,
    /// Leaks.
    pub leak: LossTerm,
    /// Vented flash steam.
    pub flash: LossTerm,
    /// Condensate not returned.
    pub condensate: LossTerm,
    /// Unexplained: steam-side mass, energy from the energy balance.
    pub unaccounted: LossTerm,
}

impl LossBreakdown {
    /// One category.
    pub fn get(&self, category: LossCategory) -> LossTerm {
        match category {
            LossCategory::Pipe => self.pipe,
            LossCategory::Trap => self.trap,
            LossCategory::Leak => self.leak,
            LossCategory::Flash => self.flash,
            LossCategory::Condensate => self.condensate,
            LossCategory::Unaccounted => self.unaccounted,
        }
    }

    /// Every category with its term.
    pub fn all(&self) -> [(LossCategory, LossTerm); 6] {
        LossCategory::ALL.map(|c| (c, self.get(c)))
    }

    /// Energy of the explained losses (all but unaccounted).
    pub fn known_energy(&self) -> Power {
        self.pipe.energy
            + self.trap.energy
            + self.leak.energy
            + self.flash.energy
            + self.condensate.energy
    }
}

/// One segment's heat loss in the window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SegmentHeatLoss {
    /// Index in the plant's segments.
    pub index: usize,
    /// Steam pressure at its inlet.
    pub pressure: Pressure,
    /// Heat lost along it.
    pub heat_loss: Power,
    /// Steam it condenses.
    pub condensation: MassFlow,
}

/// The condensate system in the window.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CondensateSummary {
    /// Condensate formed (consumers and mains).
    pub produced: MassFlow,
    /// Returned to the boiler house (metered where metered).
    pub returned: MassFlow,
    /// True when every condensate return is metered.
    pub returned_measured: bool,
    /// Returned / produced (0 when nothing is produced).
    pub recovery_rate: f64,
    /// Flash steam recovered into headers.
    pub flash_recovered: MassFlow,
    /// Flash steam vented.
    pub flash_vented: MassFlow,
    /// Condensate drained (including what a return meter misses).
    pub drained: MassFlow,
}

/// The balance of one plant in one window (see the module docs).
#[derive(Clone, Debug, PartialEq)]
pub struct PlantBalance {
    /// Steam generated.
    pub generation: MassFlow,
    /// Flash steam recovered into headers (a steam source).
    pub flash_recovered: MassFlow,
    /// Useful steam use of the consumers.
    pub consumption: MassFlow,
    /// Supply − use − pipe − trap: what the leak detector watches.
    pub residual_before_leaks: MassFlow,
    /// The steam-side mass balance (supply = generation + recovered flash).
    pub mass: MassBalance,
    /// The seed's energy balance (E_in, useful output, efficiency).
    pub energy: EnergyBalance,
    /// Heat the feed system adds to make-up and returned condensate, F.
    pub feedwater_heating: Power,
    /// E_in + F − useful − explained losses.
    pub energy_unaccounted: Power,
    /// (useful + explained losses) / (E_in + F) × 100.
    pub energy_closure_percent: f64,
    /// |mass closure − 100| within tolerance.
    pub mass_closes: bool,
    /// |energy closure − 100| within tolerance.
    pub energy_closes: bool,
    /// The loss breakdown.
    pub losses: LossBreakdown,
    /// The condensate system.
    pub condensate: CondensateSummary,
    /// Heat loss of each segment.
    pub segments: Vec<SegmentHeatLoss>,
    /// Mass-weighted enthalpy of the steam generated (the energy price reference).
    pub steam_enthalpy: SpecificEnthalpy,
    /// Estimates the window forced, in words.
    pub assumptions: Vec<String>,
    pricing: LossPricing,
    config: BalanceConfig,
    h_makeup: SpecificEnthalpy,
}

/// Steam at one point of the network.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Node {
    p: Pressure,
    h: SpecificEnthalpy,
}

struct BoilerState {
    flow: MassFlow,
    h: SpecificEnthalpy,
    h_fw: SpecificEnthalpy,
}

struct ConsumerState {
    node: Node,
    useful: MassFlow,
}

/// The steam side after the walk down the network.
struct SteamSide {
    headers: Vec<Option<Node>>,
    segment_start: Vec<Option<Node>>,
    segment_end: Vec<Option<Node>>,
    consumers: Vec<Option<Node>>,
}

fn mismatch(what: &str) -> CalcError {
    CalcError::Inconsistent(format!("the network does not match the plant's {what}"))
}

fn get<T: Copy>(list: &[Option<T>], i: usize, what: &str) -> Result<T> {
    list.get(i).copied().flatten().ok_or_else(|| mismatch(what))
}

/// Enthalpy of steam at `p`: from a measured temperature when it shows
/// superheat, dry saturated when it does not, else the enthalpy carried
/// from upstream (throttling is isenthalpic), at least dry saturated.
fn steam_enthalpy(
    p: Pressure,
    measured: Option<Temperature>,
    upstream: SpecificEnthalpy,
) -> Result<SpecificEnthalpy> {
    let sat = Saturation::at_pressure(p)?;
    Ok(match measured {
        Some(t) if t.kelvin() > sat.t.kelvin() + SUPERHEAT_MARGIN_K => h_pt(p, t)?,
        Some(_) => sat.vapour.h,
        None if upstream.j_per_kg() > sat.vapour.h.j_per_kg() => upstream,
        None => sat.vapour.h,
    })
}

fn header_pressure(
    plant: &Plant,
    window: &PlantWindow,
    h: usize,
    notes: &mut Vec<String>,
) -> Result<Pressure> {
    if let Some(p) = window.headers.get(h).and_then(|w| w.pressure) {
        return Ok(p);
    }
    let header = plant.headers.get(h).ok_or_else(|| mismatch("headers"))?;
    notes.push(format!(
        "header {}: no pressure reading, operating pressure {} barg used",
        header.id, header.operating_pressure_barg
    ));
    Ok(header.operating_pressure())
}

fn boiler_states(
    plant: &Plant,
    network: &Network,
    window: &PlantWindow,
    notes: &mut Vec<String>,
) -> Result<Vec<BoilerState>> {
    let mut out = Vec::with_capacity(plant.boilers.len());
    for (b, boiler) in plant.boilers.iter().enumerate() {
        let w = window.boilers.get(b).copied().unwrap_or_default();
        let flow = w.flow.ok_or_else(|| {
            CalcError::Inconsistent(format!(
                "boiler {}: no flow reading in this window",
                boiler.id
            ))
        })?;
        non_negative("boiler steam flow [kg/s]", flow.kg_per_s())?;
        let header = network
            .boiler_header
            .get(b)
            .copied()
            .ok_or_else(|| mismatch("boilers"))?;
        let p = match w.pressure {
            Some(p) => p,
            None => header_pressure(plant, window, header, notes)?,
        };
        let t = w
            .temperature
            .or(boiler.steam_temperature_c.map(Temperature::from_celsius));
        let h = steam_enthalpy(p, t, SpecificEnthalpy::default())?;
        let t_fw = w
            .feedwater_temperature
            .unwrap_or(boiler.feedwater_temperature());
        let h_fw = h_pt(p, t_fw)?;
        out.push(BoilerState { flow, h, h_fw });
    }
    if out.is_empty() {
        return Err(CalcError::Inconsistent(
            "the plant has no boiler".to_owned(),
        ));
    }
    Ok(out)
}

/// Mass-weighted mean enthalpy; the plain mean when no mass flows.
fn weighted(items: impl Iterator<Item = (MassFlow, SpecificEnthalpy)>) -> SpecificEnthalpy {
    let (m, mh, n, h) = items.fold((0.0, 0.0, 0.0_f64, 0.0), |(m, mh, n, h), (mi, hi)| {
        (
            m + mi.kg_per_s(),
            mh + mi.kg_per_s() * hi.j_per_kg(),
            n + 1.0,
            h + hi.j_per_kg(),
        )
    });
    SpecificEnthalpy::from_j_per_kg(if m > 0.0 { mh / m } else { h / n.max(1.0) })
}

fn walk(
    plant: &Plant,
    network: &Network,
    window: &PlantWindow,
    boilers: &[BoilerState],
    notes: &mut Vec<String>,
) -> Result<SteamSide> {
    let mut side = SteamSide {
        headers: vec![None; plant.headers.len()],
        segment_start: vec![None; plant.segments.len()],
        segment_end: vec![None; plant.segments.len()],
        consumers: vec![None; plant.consumers.len()],
    };
    for visit in &network.order {
        match *visit {
            Visit::Header(h) => {
                let p = header_pressure(plant, window, h, notes)?;
                let upstream = match network
                    .header_supply
                    .get(h)
                    .ok_or_else(|| mismatch("headers"))?
                {
                    HeaderSupply::Boilers(list) => weighted(
                        list.iter()
                            .filter_map(|&b| boilers.get(b))
                            .map(|b| (b.flow, b.h)),
                    ),
                    HeaderSupply::Prv(i) => {
                        let (up, _) = network
                            .prv_headers
                            .get(*i)
                            .copied()
                            .ok_or_else(|| mismatch("PRVs"))?;
                        get(&side.headers, up, "headers")?.h
                    }
                    HeaderSupply::Segment(s) => get(&side.segment_end, *s, "segments")?.h,
                };
                let measured = window.headers.get(h).and_then(|w| w.temperature);
                let node = Node {
                    p,
                    h: steam_enthalpy(p, measured, upstream)?,
                };
                *side.headers.get_mut(h).ok_or_else(|| mismatch("headers"))? = Some(node);
            }
            Visit::Prv(_) => {}
            Visit::Segment(s) => {
                let start = match network
                    .segment_start
                    .get(s)
                    .ok_or_else(|| mismatch("segments"))?
                {
                    SegmentStart::Header(h) => get(&side.headers, *h, "headers")?,
                    SegmentStart::Segment(j) => get(&side.segment_end, *j, "segments")?,
                };
                let w = window.segments.get(s).copied().unwrap_or_default();
                let p_in = w.inlet_pressure.unwrap_or(start.p);
                let h = steam_enthalpy(p_in, None, start.h)?;
                let p_out = w.outlet_pressure.unwrap_or(p_in);
                *side
                    .segment_start
                    .get_mut(s)
                    .ok_or_else(|| mismatch("segments"))? = Some(Node { p: p_in, h });
                *side
                    .segment_end
                    .get_mut(s)
                    .ok_or_else(|| mismatch("segments"))? = Some(Node { p: p_out, h });
            }
            Visit::Consumer(c) => {
                let feed = match network
                    .consumer_feed
                    .get(c)
                    .ok_or_else(|| mismatch("consumers"))?
                {
                    Feed::Header(h) => get(&side.headers, *h, "headers")?,
                    Feed::Segment(s) => get(&side.segment_end, *s, "segments")?,
                };
                let w = window.consumers.get(c).copied().unwrap_or_default();
                let p = w.pressure.unwrap_or(feed.p);
                let node = Node {
                    p,
                    h: steam_enthalpy(p, w.temperature, feed.h)?,
                };
                *side
                    .consumers
                    .get_mut(c)
                    .ok_or_else(|| mismatch("consumers"))? = Some(node);
            }
        }
    }
    Ok(side)
}

fn segment_heat_losses(
    plant: &Plant,
    side: &SteamSide,
    ambient: Temperature,
    wind: Velocity,
) -> Result<Vec<SegmentHeatLoss>> {
    let mut out = Vec::with_capacity(plant.segments.len());
    for (s, segment) in plant.segments.iter().enumerate() {
        let node = get(&side.segment_start, s, "segments")?;
        let od = segment.outer_diameter().ok_or_else(|| {
            CalcError::Inconsistent(format!("segment {}: no outer diameter", segment.id))
        })?;
        let insulation = (!segment.is_bare()).then(|| Insulation {
            thickness: segment.insulation_thickness(),
            conductivity: segment.insulation_conductivity(),
        });
        let loss = pipe_heat_loss(&PipeHeatLossInput {
            fluid_temperature: t_ph(node.p, node.h)?,
            ambient_temperature: ambient,
            surroundings_temperature: None,
            outer_diameter: od,
            length: segment.length(),
            insulation,
            emissivity: segment.surface_emissivity,
            wind_speed: wind,
            air_pressure: Pressure::from_pa(STANDARD_ATMOSPHERE_PA),
            convection: Convection::Correlations,
        })?;
        // Steam is never colder than the air around a live main; a gain is no loss.
        let heat_loss = Power::from_w(loss.total.w().max(0.0));
        out.push(SegmentHeatLoss {
            index: s,
            pressure: node.p,
            heat_loss,
            condensation: condensation_rate_at_pressure(heat_loss, node.p)?,
        });
    }
    Ok(out)
}

/// Steam each trap passes, checked.
fn trap_steam_of(trap_steam: &[MassFlow], t: usize) -> Result<MassFlow> {
    let m = trap_steam.get(t).copied().unwrap_or_default();
    non_negative("trap steam loss [kg/s]", m.kg_per_s())?;
    Ok(m)
}

fn consumer_states(
    plant: &Plant,
    network: &Network,
    window: &PlantWindow,
    side: &SteamSide,
    trap_steam: &[MassFlow],
    notes: &mut Vec<String>,
) -> Result<Vec<ConsumerState>> {
    let mut out = Vec::with_capacity(plant.consumers.len());
    for (c, consumer) in plant.consumers.iter().enumerate() {
        let node = get(&side.consumers, c, "consumers")?;
        let metered = match window.consumers.get(c).and_then(|w| w.flow) {
            Some(m) => m,
            None => {
                notes.push(format!(
                    "consumer {}: no flow reading, design flow {} kg/h used",
                    consumer.id, consumer.design_flow_kg_h
                ));
                consumer.design_flow()
            }
        };
        non_negative("consumer steam flow [kg/s]", metered.kg_per_s())?;
        let mut passed = MassFlow::default();
        for &t in network
            .consumer_traps
            .get(c)
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            passed = passed + trap_steam_of(trap_steam, t)?;
        }
        if passed.kg_per_s() > metered.kg_per_s() {
            notes.push(format!(
                "consumer {}: its traps pass more steam than its meter reads; its useful use is taken as 0",
                consumer.id
            ));
        }
        out.push(ConsumerState {
            node,
            useful: MassFlow::from_kg_per_s((metered - passed).kg_per_s().max(0.0)),
        });
    }
    Ok(out)
}

/// Condensate and live steam leaving each consumer and main.
fn outflows(
    plant: &Plant,
    network: &Network,
    consumers: &[ConsumerState],
    segments: &[SegmentHeatLoss],
    trap_steam: &[MassFlow],
    notes: &mut Vec<String>,
) -> Result<Vec<Outflow>> {
    let mut out = Vec::new();
    let through_traps =
        |traps: &[usize], liquid: MassFlow, p: Pressure, out: &mut Vec<Outflow>| -> Result<()> {
            let share = liquid / traps.len().max(1) as f64;
            for &t in traps {
                out.push(Outflow {
                    to: network
                        .trap_discharge
                        .get(t)
                        .copied()
                        .ok_or_else(|| mismatch("traps"))?,
                    liquid: share,
                    source_pressure: p,
                    steam: trap_steam_of(trap_steam, t)?,
                });
            }
            Ok(())
        };
    for (c, state) in consumers.iter().enumerate() {
        let traps = network
            .consumer_traps
            .get(c)
            .map(Vec::as_slice)
            .unwrap_or_default();
        if traps.is_empty() {
            out.push(Outflow {
                to: network
                    .consumer_condensate
                    .get(c)
                    .copied()
                    .unwrap_or(Discharge::Drain),
                liquid: state.useful,
                source_pressure: state.node.p,
                steam: MassFlow::default(),
            });
        } else {
            through_traps(traps, state.useful, state.node.p, &mut out)?;
        }
    }
    for s in segments {
        let traps = network
            .segment_traps
            .get(s.index)
            .map(Vec::as_slice)
            .unwrap_or_default();
        if traps.is_empty() {
            if s.condensation.kg_per_s() > 0.0 {
                let id = plant
                    .segments
                    .get(s.index)
                    .map_or("?", |seg| seg.id.as_str());
                notes.push(format!(
                    "segment {id}: no drip trap modelled, its condensate is counted as drained"
                ));
            }
            out.push(Outflow {
                to: Discharge::Drain,
                liquid: s.condensation,
                source_pressure: s.pressure,
                steam: MassFlow::default(),
            });
        } else {
            through_traps(traps, s.condensation, s.pressure, &mut out)?;
        }
    }
    Ok(out)
}

/// Enthalpy of liquid returned at a measured temperature, or saturated at the receiver.
fn return_enthalpy(t: Option<Temperature>, receiver: Pressure) -> Result<SpecificEnthalpy> {
    match t {
        Some(t) if (273.16..=473.15).contains(&t.kelvin()) => {
            Ok(Saturation::at_temperature(t)?.liquid.h)
        }
        _ => Ok(Saturation::at_pressure(receiver)?.liquid.h),
    }
}

/// The balance of one plant in one window, before leaks (see the module
/// docs); add the window's leaks with [`PlantBalance::with_leaks`].
///
/// `trap_steam[i]` is the steam trap `plant.traps[i]` passes (from its
/// assessment, [`super::trap_status::TrapAssessment::steam_loss`]); a
/// shorter list counts the rest as 0.
///
/// Errors: a boiler without a flow reading, no steam generated, a network
/// that does not match the plant, a state outside IF97, invalid prices.
pub fn plant_balance(
    plant: &Plant,
    network: &Network,
    window: &PlantWindow,
    trap_steam: &[MassFlow],
    pricing: &LossPricing,
    config: &BalanceConfig,
) -> Result<PlantBalance> {
    pricing.check()?;
    let h_mu = pricing.makeup_enthalpy()?;
    let mut notes = Vec::new();
    let ambient = window
        .ambient_temperature
        .unwrap_or(plant.ambient.design_temperature());
    let wind = window
        .wind_speed
        .unwrap_or(Velocity::from_m_per_s(plant.ambient.design_wind_speed_m_s));
    let boilers = boiler_states(plant, network, window, &mut notes)?;
    let side = walk(plant, network, window, &boilers, &mut notes)?;
    let segments = segment_heat_losses(plant, &side, ambient, wind)?;
    let consumers = consumer_states(plant, network, window, &side, trap_steam, &mut notes)?;
    let flows = follow(
        plant,
        &vessel_pressures(plant, window),
        &network.flash_condensate,
        &outflows(
            plant, network, &consumers, &segments, trap_steam, &mut notes,
        )?,
        h_mu,
    )?;

    let generation = boilers.iter().fold(MassFlow::default(), |m, b| m + b.flow);
    let h_gen = weighted(boilers.iter().map(|b| (b.flow, b.h)));
    let h_fw = weighted(boilers.iter().map(|b| (b.flow, b.h_fw)));
    let consumer_flows: Vec<ConsumerFlow> = consumers
        .iter()
        .map(|c| {
            Ok(ConsumerFlow {
                mass_flow: c.useful,
                steam_enthalpy: c.node.h,
                condensate_enthalpy: Saturation::at_pressure(c.node.p)?.liquid.h,
            })
        })
        .collect::<Result<_>>()?;
    let energy = energy_balance(generation, h_gen, h_fw, &consumer_flows)?;

    let flash_recovered = recovered_flash(plant, window, &flows, &mut notes);
    let returns = returned(plant, window, &flows, h_mu)?;
    let consumption = consumers
        .iter()
        .fold(MassFlow::default(), |m, c| m + c.useful);
    let pipe_mass = segments
        .iter()
        .fold(MassFlow::default(), |m, s| m + s.condensation);
    let pipe_heat = segments
        .iter()
        .fold(Power::default(), |q, s| q + s.heat_loss);
    let (trap_mass, trap_energy) =
        trap_totals(plant, network, &side, &consumers, trap_steam, h_mu)?;

    let makeup = generation - returns.mass;
    let feedwater_heating = Power::from_w(finite(
        "feedwater heating [W]",
        makeup.kg_per_s() * (h_fw - h_mu).j_per_kg() + returns.mass.kg_per_s() * h_fw.j_per_kg()
            - returns.enthalpy_flow_w,
    )?);

    let flash_energy = flows.flash_vented_energy;
    let condensate_mass = flows.drained + returns.lost;
    let condensate_energy = flows.drained_energy + returns.lost_energy;
    let losses = LossBreakdown {
        pipe: LossTerm {
            mass: pipe_mass,
            energy: pipe_heat,
            cost_per_year: pricing.heat_cost_per_year(pipe_heat, h_gen)?,
        },
        trap: LossTerm {
            mass: trap_mass,
            energy: trap_energy,
            cost_per_year: pricing.steam_cost_per_year(trap_mass)?,
        },
        leak: LossTerm::default(),
        flash: LossTerm {
            mass: flows.flash_vented,
            energy: flash_energy,
            cost_per_year: pricing.heat_cost_per_year(flash_energy, h_gen)?
                + pricing.water_cost_per_year(flows.flash_vented)?,
        },
        condensate: LossTerm {
            mass: condensate_mass,
            energy: condensate_energy,
            cost_per_year: pricing.heat_cost_per_year(condensate_energy, h_gen)?
                + pricing.water_cost_per_year(condensate_mass)?,
        },
        unaccounted: LossTerm::default(),
    };
    let produced = flows.produced;
    let mut balance = PlantBalance {
        generation,
        flash_recovered,
        consumption,
        residual_before_leaks: generation + flash_recovered - consumption - pipe_mass - trap_mass,
        mass: mass_balance(
            generation + flash_recovered,
            &[consumption],
            &KnownLosses::default(),
        )?,
        energy,
        feedwater_heating,
        energy_unaccounted: Power::default(),
        energy_closure_percent: 0.0,
        mass_closes: false,
        energy_closes: false,
        losses,
        condensate: CondensateSummary {
            produced,
            returned: returns.mass,
            returned_measured: returns.all_measured,
            recovery_rate: if produced.kg_per_s() > 0.0 {
                returns.mass / produced
            } else {
                0.0
            },
            flash_recovered,
            flash_vented: flows.flash_vented,
            drained: condensate_mass,
        },
        segments,
        steam_enthalpy: h_gen,
        assumptions: notes,
        pricing: *pricing,
        config: *config,
        h_makeup: h_mu,
    };
    balance.close()?;
    Ok(balance)
}

fn vessel_pressures(plant: &Plant, window: &PlantWindow) -> Vec<Pressure> {
    plant
        .flash_vessels
        .iter()
        .enumerate()
        .map(|(v, vessel)| {
            window
                .flash_vessels
                .get(v)
                .and_then(|w| w.pressure)
                .unwrap_or(vessel.pressure())
        })
        .collect()
}

/// Recovered flash: metered where a recovering vessel has a meter, else modelled.
fn recovered_flash(
    plant: &Plant,
    window: &PlantWindow,
    flows: &CondensateFlows,
    notes: &mut Vec<String>,
) -> MassFlow {
    let mut total = MassFlow::default();
    for (v, vessel) in plant.flash_vessels.iter().enumerate() {
        if vessel.to_header.is_none() {
            continue;
        }
        let modelled = flows.recovered.get(v).copied().unwrap_or_default();
        let measured = window
            .flash_vessels
            .get(v)
            .and_then(|w| w.flash_flow)
            .filter(|m| m.kg_per_s() >= 0.0);
        if measured.is_none() && vessel.flash_flow_tag.is_some() {
            notes.push(format!(
                "flash vessel {}: no flow reading, modelled flash used",
                vessel.id
            ));
        }
        total = total + measured.unwrap_or(modelled);
    }
    total
}

struct Returns {
    mass: MassFlow,
    enthalpy_flow_w: f64,
    lost: MassFlow,
    lost_energy: Power,
    all_measured: bool,
}

/// Condensate returned: metered where metered, else modelled; a meter
/// below the model loses the difference.
fn returned(
    plant: &Plant,
    window: &PlantWindow,
    flows: &CondensateFlows,
    h_mu: SpecificEnthalpy,
) -> Result<Returns> {
    let mut out = Returns {
        mass: MassFlow::default(),
        enthalpy_flow_w: 0.0,
        lost: MassFlow::default(),
        lost_energy: Power::default(),
        all_measured: !plant.condensate_returns.is_empty(),
    };
    for (r, ret) in plant.condensate_returns.iter().enumerate() {
        let w = window
            .condensate_returns
            .get(r)
            .copied()
            .unwrap_or_default();
        let modelled = flows.returned.get(r).copied().unwrap_or_default();
        let h_r = return_enthalpy(w.temperature, ret.receiver_pressure())?;
        let measured = w.flow.filter(|m| m.kg_per_s() >= 0.0);
        out.all_measured &= measured.is_some();
        let mass = measured.unwrap_or(modelled);
        if mass.kg_per_s() < modelled.kg_per_s() {
            let lost = modelled - mass;
            out.lost = out.lost + lost;
            out.lost_energy =
                out.lost_energy + Power::from_w(lost.kg_per_s() * (h_r - h_mu).j_per_kg());
        }
        out.mass = out.mass + mass;
        out.enthalpy_flow_w += mass.kg_per_s() * h_r.j_per_kg();
    }
    Ok(out)
}

/// Steam through all traps and its energy, m (h_site − h_makeup).
fn trap_totals(
    plant: &Plant,
    network: &Network,
    side: &SteamSide,
    consumers: &[ConsumerState],
    trap_steam: &[MassFlow],
    h_mu: SpecificEnthalpy,
) -> Result<(MassFlow, Power)> {
    let mut mass = MassFlow::default();
    let mut energy = 0.0;
    for t in 0..plant.traps.len() {
        let m = trap_steam_of(trap_steam, t)?;
        let h = match network.trap_site.get(t).ok_or_else(|| mismatch("traps"))? {
            TrapSite::Segment(s) => get(&side.segment_start, *s, "segments")?.h,
            TrapSite::Consumer(c) => {
                consumers
                    .get(*c)
                    .ok_or_else(|| mismatch("consumers"))?
                    .node
                    .h
            }
        };
        mass = mass + m;
        energy += m.kg_per_s() * (h - h_mu).j_per_kg();
    }
    Ok((mass, Power::from_w(finite("trap energy loss [W]", energy)?)))
}

impl PlantBalance {
    /// The same balance with the window's leaks as the leak term: their
    /// sizes, their energy (or m (h_steam − h_makeup) where a leak has
    /// none) and their cost (or tonnes × steam cost).
    pub fn with_leaks(&self, leaks: &[LeakDetection]) -> Result<PlantBalance> {
        let mut mass = MassFlow::default();
        let mut energy = Power::default();
        let mut cost = 0.0;
        for leak in leaks {
            non_negative("leak size [kg/s]", leak.size.kg_per_s())?;
            mass = mass + leak.size;
            energy = energy
                + match leak.energy {
                    Some(e) => e,
                    None => Power::from_w(
                        leak.size.kg_per_s() * (self.steam_enthalpy - self.h_makeup).j_per_kg(),
                    ),
                };
            cost += match leak.cost_per_year {
                Some(c) => c,
                None => self.pricing.steam_cost_per_year(leak.size)?,
            };
        }
        let mut balance = self.clone();
        balance.losses.leak = LossTerm {
            mass,
            energy: Power::from_w(finite("leak energy [W]", energy.w())?),
            cost_per_year: finite("leak cost per year", cost)?,
        };
        balance.close()?;
        Ok(balance)
    }

    /// Recomputes the unaccounted terms and the closures from the rest.
    fn close(&mut self) -> Result<()> {
        let l = &self.losses;
        let known = KnownLosses {
            pipe: l.pipe.mass,
            trap: l.trap.mass,
            leak: l.leak.mass,
            flash: MassFlow::default(),
        };
        self.mass = mass_balance(
            self.generation + self.flash_recovered,
            &[self.consumption],
            &known,
        )?;
        let total_in = self.energy.input + self.feedwater_heating;
        let explained = self.energy.useful_output + self.losses.known_energy();
        let total_in_w =
            super::error::positive("energy input incl. feedwater heating [W]", total_in.w())?;
        self.energy_unaccounted = total_in - explained;
        self.energy_closure_percent = finite("energy closure", explained.w() / total_in_w * 100.0)?;
        self.losses.unaccounted = LossTerm {
            mass: self.mass.unaccounted,
            energy: self.energy_unaccounted,
            cost_per_year: self.pricing.steam_cost_per_year(self.mass.unaccounted)?,
        };
        self.mass_closes =
            (self.mass.closure_percent - 100.0).abs() <= self.config.mass_tolerance_pct;
        self.energy_closes =
            (self.energy_closure_percent - 100.0).abs() <= self.config.energy_tolerance_pct;
        Ok(())
    }

    /// System efficiency, useful output / E_in (the seed's η).
    pub fn efficiency(&self) -> f64 {
        self.energy.efficiency
    }

    /// Money a day of operation of one loss category: its cost a year
    /// over the operating days (operating hours / 24); 0 without operating hours.
    pub fn cost_per_day(&self, category: LossCategory) -> f64 {
        let hours = self.pricing.operating_time_per_year.h();
        let per_day = self.losses.get(category).cost_per_year * 24.0 / hours;
        if per_day.is_finite() { per_day } else { 0.0 }
    }
}

#[cfg(test)]
mod tests;
