//! The physical plant: one call of [`Model::step`] moves it to the next
//! sample time and returns every measured quantity and the truth behind them.
//!
//! Per step:
//! 1. Demand: each consumer's design flow × a daily cycle × a slow random
//!    walk; air temperature follows its own daily cycle.
//! 2. Flows, bottom-up (the network walked backwards): a consumer draws its
//!    process demand plus the live steam its traps pass; a segment carries
//!    what it feeds plus what condenses in it, what leaks from it and what
//!    its drip traps pass; a header supplies what leaves it less the flash
//!    steam it receives; boilers share their header's supply by capacity.
//! 3. States, top-down: boiler-fed headers hold their operating pressure;
//!    a PRV throttles isenthalpically to its setpoint; along a segment the
//!    pressure falls by Darcy–Weisbach and the heat loss condenses steam
//!    (energy balance on IF97 enthalpies: the condensate is drained by the
//!    segment's traps, or carried on as wet steam when it has none).
//! 4. Traps pass their share of condensate and, through whatever part of
//!    their seat is open, live steam (isentropic orifice flow). Flash vessels
//!    and condensate receivers flash what they receive to their pressure.
//!
//! Steps 2–3 are iterated to consistency, and the flows are computed last,
//! from the final losses, so that the mass balance of every step closes
//! exactly: generation = process use + trap steam + pipe condensate + leaks
//! − flash steam recovered into headers.

use steamflow_operators::if97::{self, State};
use steamflow_operators::plant::{
    Discharge, Feed, HeaderSupply, Network, Plant, SegmentStart, TrapSite, TrapType, Visit,
};
use steamflow_operators::units::{Length, Pressure, SpecificEnthalpy, Temperature, Velocity};

use crate::config::{TrapFailure, Variation};
use crate::physics::{self, Geometry, PhysicsError, Result, SatPoint};
use crate::rng::Stream;

/// Lowest absolute pressure the model lets a segment outlet fall to [Pa]:
/// a network that cannot carry its load bottoms out instead of leaving IF97.
const MIN_PRESSURE_PA: f64 = 120_000.0;
/// Amplitude of the daily air temperature cycle [K]; warmest at 15:00.
const AMBIENT_SWING_K: f64 = 4.0;
/// Mean load of a consumer as a share of its design flow.
const AVERAGE_LOAD: f64 = 0.8;
/// Correlation time of the demand random walk [s].
const DEMAND_WANDER_TAU_S: f64 = 1800.0;
/// Share of a consumer's demand still met when all its traps are blocked
/// (the heat exchanger floods with condensate).
const FLOODED_SHARE: f64 = 0.2;
/// Share of demand lost when all its traps are degraded (sluggish discharge).
const DEGRADED_DEMAND_LOSS: f64 = 0.1;
/// A blocked trap's inlet relaxes towards ambient with this time constant [s]…
const BLOCKED_TAU_S: f64 = 900.0;
/// …down to ambient plus this share of (saturation − ambient).
const BLOCKED_FLOOR: f64 = 0.25;
/// Background level of an ultrasonic sensor [dB].
const ACOUSTIC_BACKGROUND_DB: f64 = 20.0;
/// Drop across a boiler's outlet at full load [Pa] (drum above header).
const BOILER_OUTLET_DROP_PA: f64 = 30_000.0;
/// Smallest drop a PRV needs to control [Pa].
const PRV_MIN_DROP_PA: f64 = 10_000.0;
/// Cooling of returned condensate between receiver and meter [K].
const RETURN_LINE_COOLING_K: f64 = 4.0;

/// The condition of one trap in a step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TrapCondition {
    /// Working as designed.
    Healthy,
    /// Failed by a scheduled fault, active for `since_s` seconds.
    Failed {
        /// How it failed.
        failure: TrapFailure,
        /// Seconds since the fault began.
        since_s: f64,
    },
}

/// What the model needs to know from outside for one step.
pub(crate) struct Conditions<'a> {
    /// Seconds since the start of the run.
    pub elapsed_s: f64,
    /// Hour of the day (UTC), 0..24.
    pub hour_of_day: f64,
    /// Length of the step [s].
    pub dt_s: f64,
    /// Each trap's condition.
    pub traps: &'a [TrapCondition],
    /// Hole diameter of an active leak in each segment [mm] (0: none).
    pub leaks_mm: &'a [f64],
}

/// Values of one boiler.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BoilerValues {
    /// Steam flow [kg/h].
    pub flow_kg_h: f64,
    /// Drum / outlet pressure [barg].
    pub pressure_barg: f64,
    /// Outlet steam temperature [°C].
    pub temperature_c: f64,
    /// Feedwater temperature [°C].
    pub feedwater_c: f64,
}

/// Values of one header.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct HeaderValues {
    /// Pressure [barg].
    pub pressure_barg: f64,
    /// Steam temperature [°C].
    pub temperature_c: f64,
    /// Supply flow [kg/h].
    pub flow_kg_h: f64,
}

/// Values of one pipe segment.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SegmentValues {
    /// Inlet pressure [barg].
    pub inlet_barg: f64,
    /// Outlet pressure [barg].
    pub outlet_barg: f64,
    /// Inlet flow [kg/h].
    pub flow_kg_h: f64,
    /// Outer surface temperature [°C].
    pub surface_c: f64,
    /// Ultrasonic level [dB].
    pub acoustic_db: f64,
    /// Heat loss [kW].
    pub heat_loss_kw: f64,
    /// Steam condensed and drained [kg/h].
    pub condensate_kg_h: f64,
    /// Steam leaking [kg/h].
    pub leak_kg_h: f64,
}

/// Values of one consumer.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ConsumerValues {
    /// Metered steam flow [kg/h] (process use plus its traps' steam loss).
    pub flow_kg_h: f64,
    /// Process use [kg/h].
    pub process_kg_h: f64,
    /// Inlet pressure [barg].
    pub pressure_barg: f64,
    /// Inlet steam temperature [°C].
    pub temperature_c: f64,
}

/// Values of one trap.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TrapValues {
    /// Inlet pipe temperature [°C].
    pub inlet_c: f64,
    /// Outlet pipe temperature [°C].
    pub outlet_c: f64,
    /// Ultrasonic level [dB].
    pub acoustic_db: f64,
    /// Live steam passed [kg/h].
    pub steam_loss_kg_h: f64,
    /// Condensate discharged [kg/h].
    pub condensate_kg_h: f64,
    /// Saturation temperature at its inlet pressure [°C].
    pub saturation_c: f64,
}

/// Values of one flash vessel.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FlashValues {
    /// Pressure [barg].
    pub pressure_barg: f64,
    /// Flash steam produced [kg/h].
    pub flash_kg_h: f64,
}

/// Values of one condensate return.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ReturnValues {
    /// Liquid returned [kg/h].
    pub flow_kg_h: f64,
    /// Its temperature [°C].
    pub temperature_c: f64,
    /// Flash steam vented at the receiver [kg/h].
    pub vented_kg_h: f64,
}

/// The plant-wide balance of one step: what the readings should add up to.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Balance {
    /// Steam generated by all boilers [kg/h].
    pub generation_kg_h: f64,
    /// Steam used by processes [kg/h].
    pub process_kg_h: f64,
    /// Metered consumer flow: process use plus the steam their traps pass [kg/h].
    pub consumer_metered_kg_h: f64,
    /// Live steam passed by all traps [kg/h].
    pub trap_steam_kg_h: f64,
    /// Steam condensed in the pipework and drained [kg/h].
    pub pipe_condensate_kg_h: f64,
    /// Steam leaking from pipework [kg/h].
    pub leak_kg_h: f64,
    /// Flash steam recovered into headers [kg/h].
    pub flash_recovered_kg_h: f64,
    /// Condensate returned to the boiler house [kg/h].
    pub condensate_returned_kg_h: f64,
    /// Flash steam vented at receivers and vented flash vessels [kg/h].
    pub flash_vented_kg_h: f64,
    /// Condensate and steam discharged to drain [kg/h].
    pub drained_kg_h: f64,
    /// Condensate held back by blocked traps [kg/h].
    pub held_back_kg_h: f64,
    /// Heat lost by the pipework [kW].
    pub pipe_heat_loss_kw: f64,
    /// Heat put into steam by the boilers, m (h_steam − h_feedwater) [kW].
    pub energy_in_kw: f64,
}

impl Balance {
    /// generation − (process + traps + pipe condensate + leaks − flash
    /// recovered) [kg/h]: zero to rounding for every step.
    pub fn residual_kg_h(&self) -> f64 {
        self.generation_kg_h
            - (self.process_kg_h
                + self.trap_steam_kg_h
                + self.pipe_condensate_kg_h
                + self.leak_kg_h
                - self.flash_recovered_kg_h)
    }
}

/// Everything the plant shows in one step.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Snapshot {
    /// Air temperature [°C].
    pub ambient_c: f64,
    /// Wind speed [m/s].
    pub wind_m_s: f64,
    /// Per boiler.
    pub boilers: Vec<BoilerValues>,
    /// Per header.
    pub headers: Vec<HeaderValues>,
    /// Per PRV: flow [kg/h] and outlet pressure [barg].
    pub prvs: Vec<(f64, f64)>,
    /// Per segment.
    pub segments: Vec<SegmentValues>,
    /// Per consumer.
    pub consumers: Vec<ConsumerValues>,
    /// Per trap.
    pub traps: Vec<TrapValues>,
    /// Per condensate return.
    pub returns: Vec<ReturnValues>,
    /// Per flash vessel.
    pub flash_vessels: Vec<FlashValues>,
    /// The plant-wide balance.
    pub balance: Balance,
}

/// Flows of one bottom-up pass [kg/s].
#[derive(Clone, Debug, Default)]
struct Flows {
    consumer: Vec<f64>,
    segment_in: Vec<f64>,
    header_load: Vec<f64>,
    header_supply: Vec<f64>,
    flash_used: Vec<f64>,
    prv: Vec<f64>,
    boiler: Vec<f64>,
}

/// States of one top-down pass.
#[derive(Clone, Debug, Default)]
struct States {
    header_p: Vec<f64>,
    header_h: Vec<f64>,
    segment_in_p: Vec<f64>,
    segment_out_p: Vec<f64>,
    segment_out_h: Vec<f64>,
    segment_in_t: Vec<f64>,
    consumer_p: Vec<f64>,
    consumer_h: Vec<f64>,
    boiler_h: Vec<f64>,
    heat_w: Vec<f64>,
    surface_k: Vec<f64>,
}

/// A cached heat loss: recomputed only when a temperature moves.
#[derive(Clone, Copy, Debug)]
struct HeatCache {
    fluid_k: f64,
    ambient_k: f64,
    heat_w: f64,
    surface_k: f64,
}

/// Temperature change that invalidates a cached heat loss [K].
const HEAT_CACHE_TOLERANCE_K: f64 = 0.05;

/// The simulated plant and its slowly moving state.
pub(crate) struct Model {
    plant: Plant,
    network: Network,
    geometry: Vec<Geometry>,
    variation: Variation,
    /// Each boiler's share of its header's supply.
    boiler_share: Vec<f64>,
    /// Each consumer's phase in the daily cycle [rad].
    demand_phase: Vec<f64>,
    /// Each consumer's random-walk state (relative).
    wander: Vec<f64>,
    demand_rng: Stream,
    /// Losses carried from the last pass [kg/s].
    condensate: Vec<f64>,
    leak: Vec<f64>,
    trap_steam: Vec<f64>,
    /// Flash steam produced last step, per header it feeds [kg/s], and its enthalpy [J/kg].
    flash_in: Vec<f64>,
    flash_h: Vec<f64>,
    heat_cache: Vec<Option<HeatCache>>,
}

fn barg(p_pa: f64) -> f64 {
    Pressure::from_pa(p_pa).barg()
}

fn celsius(t_k: f64) -> f64 {
    Temperature::from_kelvin(t_k).celsius()
}

fn state_ph(p_pa: f64, h_j_kg: f64) -> Result<State> {
    Ok(if97::state_ph(
        Pressure::from_pa(p_pa),
        SpecificEnthalpy::from_j_per_kg(h_j_kg),
    )?)
}

fn sat(p_pa: f64) -> Result<SatPoint> {
    SatPoint::at(Pressure::from_pa(p_pa))
}

/// How far below saturation a healthy trap of this type lets condensate cool [K].
fn healthy_subcooling_k(kind: TrapType) -> f64 {
    match kind {
        TrapType::FloatThermostatic => 1.0,
        TrapType::Thermodynamic | TrapType::InvertedBucket => 2.0,
        TrapType::FixedOrifice => 3.0,
        TrapType::Thermostatic => 12.0,
        TrapType::Bimetallic => 25.0,
    }
}

/// Share of the seat a healthy trap of this type leaves open to live steam
/// (its normal loss: a healthy thermodynamic trap passes a little each cycle).
fn healthy_open_fraction(kind: TrapType) -> f64 {
    match kind {
        TrapType::FloatThermostatic | TrapType::Thermostatic | TrapType::Bimetallic => 0.001,
        TrapType::InvertedBucket => 0.003,
        TrapType::Thermodynamic => 0.005,
        TrapType::FixedOrifice => 0.01,
    }
}

/// Share of the seat open to live steam in a condition.
fn open_fraction(kind: TrapType, condition: TrapCondition) -> f64 {
    match condition {
        TrapCondition::Healthy => healthy_open_fraction(kind),
        TrapCondition::Failed { failure, .. } => match failure {
            TrapFailure::BlownOpen => 1.0,
            TrapFailure::Leaking { open_fraction } | TrapFailure::Degraded { open_fraction } => {
                open_fraction
            }
            TrapFailure::Blocked => 0.0,
        },
    }
}

fn is_blocked(condition: TrapCondition) -> bool {
    matches!(
        condition,
        TrapCondition::Failed {
            failure: TrapFailure::Blocked,
            ..
        }
    )
}

fn is_degraded(condition: TrapCondition) -> bool {
    matches!(
        condition,
        TrapCondition::Failed {
            failure: TrapFailure::Degraded { .. },
            ..
        }
    )
}

/// Sum of sound levels [dB]: 10 log₁₀ Σ 10^(Lᵢ/10).
fn add_levels(levels: &[f64]) -> f64 {
    10.0 * levels
        .iter()
        .map(|l| 10_f64.powf(l / 10.0))
        .sum::<f64>()
        .log10()
}

/// Ultrasound of live steam through an orifice [dB]: louder with the flow.
fn steam_noise_db(steam_kg_h: f64) -> f64 {
    if steam_kg_h > 0.01 {
        45.0 + 15.0 * steam_kg_h.log10()
    } else {
        0.0
    }
}

/// Ultrasound of condensate discharge [dB].
fn condensate_noise_db(condensate_kg_h: f64) -> f64 {
    if condensate_kg_h > 0.0 {
        25.0 + 6.0 * (1.0 + condensate_kg_h).log10()
    } else {
        0.0
    }
}

impl Model {
    /// A model of a checked plant.
    pub(crate) fn new(
        plant: &Plant,
        variation: &Variation,
        seed: u64,
    ) -> std::result::Result<Model, PhysicsError> {
        let network = Network::build(plant).map_err(|issues| {
            PhysicsError(
                issues
                    .iter()
                    .map(|i| format!("{}: {}", i.key, i.message))
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
        let geometry = plant
            .segments
            .iter()
            .map(|s| {
                Geometry::of(s)
                    .ok_or_else(|| PhysicsError(format!("segment `{}` has no diameters", s.id)))
            })
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let mut boiler_share = vec![0.0; plant.boilers.len()];
        for supply in &network.header_supply {
            if let HeaderSupply::Boilers(boilers) = supply {
                let total: f64 = boilers
                    .iter()
                    .filter_map(|&b| plant.boilers.get(b))
                    .map(|b| b.capacity_kg_h)
                    .sum();
                for &b in boilers {
                    if let (Some(share), Some(boiler)) =
                        (boiler_share.get_mut(b), plant.boilers.get(b))
                    {
                        *share = if total > 0.0 {
                            boiler.capacity_kg_h / total
                        } else {
                            0.0
                        };
                    }
                }
            }
        }
        let mut phase_rng = Stream::new(seed, "demand-phase");
        let demand_phase = plant
            .consumers
            .iter()
            .map(|_| (phase_rng.uniform() - 0.5) * 1.5)
            .collect();
        let mut model = Model {
            geometry,
            variation: variation.clone(),
            boiler_share,
            demand_phase,
            wander: vec![0.0; plant.consumers.len()],
            demand_rng: Stream::new(seed, "demand"),
            condensate: vec![0.0; plant.segments.len()],
            leak: vec![0.0; plant.segments.len()],
            trap_steam: vec![0.0; plant.traps.len()],
            flash_in: vec![0.0; plant.headers.len()],
            flash_h: vec![0.0; plant.headers.len()],
            heat_cache: vec![None; plant.segments.len()],
            plant: plant.clone(),
            network,
        };
        model.warm_up()?;
        Ok(model)
    }

    /// Settles the losses and the flash steam carried from step to step,
    /// so that the first sample is already in steady state.
    fn warm_up(&mut self) -> Result<()> {
        let healthy = vec![TrapCondition::Healthy; self.plant.traps.len()];
        let no_leaks = vec![0.0; self.plant.segments.len()];
        let conditions = Conditions {
            elapsed_s: 0.0,
            hour_of_day: 0.0,
            dt_s: 0.0,
            traps: &healthy,
            leaks_mm: &no_leaks,
        };
        let wander = self.wander.clone();
        for _ in 0..3 {
            self.step(&conditions)?;
        }
        self.wander = wander;
        Ok(())
    }

    fn ambient_k(&self, hour_of_day: f64) -> f64 {
        let swing = AMBIENT_SWING_K * (std::f64::consts::TAU * (hour_of_day - 9.0) / 24.0).sin();
        self.plant.ambient.design_temperature().kelvin() + swing
    }

    /// Each consumer's process demand this step [kg/s], before trap effects.
    fn demands(&mut self, c: &Conditions<'_>) -> Vec<f64> {
        let swing = self.variation.daily_swing_pct / 100.0;
        let sigma = self.variation.demand_wander_pct / 100.0;
        let rho = (-c.dt_s / DEMAND_WANDER_TAU_S).exp();
        let innovation = sigma * (1.0 - rho * rho).sqrt();
        let mut out = Vec::with_capacity(self.plant.consumers.len());
        for (i, consumer) in self.plant.consumers.iter().enumerate() {
            let phase = self.demand_phase.get(i).copied().unwrap_or(0.0);
            let wander = self.wander.get(i).copied().unwrap_or(0.0) * rho
                + innovation * self.demand_rng.normal();
            if let Some(w) = self.wander.get_mut(i) {
                *w = wander;
            }
            // Busiest early afternoon, quietest at night.
            let daily =
                swing * (std::f64::consts::TAU * (c.hour_of_day - 8.0) / 24.0 + phase).sin();
            let load = (1.0 + daily + wander).max(0.05);
            out.push(consumer.design_flow().kg_per_s() * load * AVERAGE_LOAD);
        }
        out
    }

    /// Process use after the consumer's traps: blocked traps flood it,
    /// degraded ones slow it.
    fn effective_demand(&self, demand: &[f64], traps: &[TrapCondition]) -> Vec<f64> {
        demand
            .iter()
            .enumerate()
            .map(|(c, &d)| {
                let list = self
                    .network
                    .consumer_traps
                    .get(c)
                    .map_or(&[][..], Vec::as_slice);
                if list.is_empty() {
                    return d;
                }
                let n = list.len() as f64;
                let condition =
                    |t: &usize| traps.get(*t).copied().unwrap_or(TrapCondition::Healthy);
                let blocked = list.iter().filter(|t| is_blocked(condition(t))).count() as f64 / n;
                let degraded = list.iter().filter(|t| is_degraded(condition(t))).count() as f64 / n;
                d * (1.0 - (1.0 - FLOODED_SHARE) * blocked - DEGRADED_DEMAND_LOSS * degraded)
            })
            .collect()
    }

    /// Flows from the consumers back to the boilers [kg/s].
    fn bottom_up(&self, process: &[f64]) -> Flows {
        let n = &self.network;
        let mut f = Flows {
            consumer: process.to_vec(),
            segment_in: vec![0.0; self.plant.segments.len()],
            header_load: vec![0.0; self.plant.headers.len()],
            header_supply: vec![0.0; self.plant.headers.len()],
            flash_used: vec![0.0; self.plant.headers.len()],
            prv: vec![0.0; self.plant.prvs.len()],
            boiler: vec![0.0; self.plant.boilers.len()],
        };
        for (t, site) in n.trap_site.iter().enumerate() {
            if let (TrapSite::Consumer(c), Some(loss)) = (site, self.trap_steam.get(t))
                && let Some(flow) = f.consumer.get_mut(*c)
            {
                *flow += loss;
            }
        }
        let get = |v: &[f64], i: usize| v.get(i).copied().unwrap_or(0.0);
        for visit in n.order.iter().rev() {
            match *visit {
                Visit::Segment(s) => {
                    let mut total = get(&self.condensate, s) + get(&self.leak, s);
                    for &t in n.segment_traps.get(s).map_or(&[][..], Vec::as_slice) {
                        total += get(&self.trap_steam, t);
                    }
                    for outlet in n.segment_outlets.get(s).map_or(&[][..], Vec::as_slice) {
                        total += match *outlet {
                            Visit::Segment(child) => get(&f.segment_in, child),
                            Visit::Consumer(c) => get(&f.consumer, c),
                            Visit::Header(h) => get(&f.header_supply, h),
                            Visit::Prv(_) => 0.0,
                        };
                    }
                    set(&mut f.segment_in, s, total);
                }
                Visit::Header(h) => {
                    let mut load = 0.0;
                    for outlet in n.header_outlets.get(h).map_or(&[][..], Vec::as_slice) {
                        load += match *outlet {
                            Visit::Segment(s) => get(&f.segment_in, s),
                            Visit::Consumer(c) => get(&f.consumer, c),
                            Visit::Prv(p) => get(&f.prv, p),
                            Visit::Header(_) => 0.0,
                        };
                    }
                    let flash = get(&self.flash_in, h).min(load);
                    set(&mut f.header_load, h, load);
                    set(&mut f.flash_used, h, flash);
                    set(&mut f.header_supply, h, load - flash);
                }
                Visit::Prv(p) => {
                    if let Some(&(_, to)) = n.prv_headers.get(p) {
                        let supply = get(&f.header_supply, to);
                        set(&mut f.prv, p, supply);
                    }
                }
                Visit::Consumer(_) => {}
            }
        }
        for (b, &h) in n.boiler_header.iter().enumerate() {
            let flow = get(&f.header_supply, h) * get(&self.boiler_share, b);
            set(&mut f.boiler, b, flow);
        }
        f
    }

    /// Boiler outlet enthalpy at header pressure [J/kg].
    fn boiler_enthalpy(&self, b: usize, p_pa: f64) -> Result<f64> {
        let superheat = self
            .plant
            .boilers
            .get(b)
            .and_then(|b| b.steam_temperature_c);
        let saturated = sat(p_pa)?;
        Ok(match superheat {
            Some(t) if Temperature::from_celsius(t).kelvin() > saturated.t.kelvin() => {
                if97::h_pt(Pressure::from_pa(p_pa), Temperature::from_celsius(t))?.j_per_kg()
            }
            _ => saturated.hg.j_per_kg(),
        })
    }

    /// Mixes a supply stream with the flash steam a header receives.
    fn with_flash(&self, h: usize, supply_kg_s: f64, supply_h: f64, flash_used: f64) -> f64 {
        let flash_h = self.flash_h.get(h).copied().unwrap_or(supply_h);
        let total = supply_kg_s + flash_used;
        if total > 1e-12 {
            (supply_kg_s * supply_h + flash_used * flash_h) / total
        } else {
            supply_h
        }
    }

    fn heat_loss(&mut self, s: usize, fluid_k: f64, ambient_k: f64) -> Result<(f64, f64)> {
        if let Some(Some(cache)) = self.heat_cache.get(s)
            && (cache.fluid_k - fluid_k).abs() < HEAT_CACHE_TOLERANCE_K
            && (cache.ambient_k - ambient_k).abs() < HEAT_CACHE_TOLERANCE_K
        {
            return Ok((cache.heat_w, cache.surface_k));
        }
        let geometry = self
            .geometry
            .get(s)
            .ok_or_else(|| PhysicsError(format!("no segment {s}")))?;
        let wind = Velocity::from_m_per_s(self.plant.ambient.design_wind_speed_m_s);
        let (q, surface) = physics::segment_heat_loss(
            geometry,
            Temperature::from_kelvin(fluid_k),
            Temperature::from_kelvin(ambient_k),
            wind,
        )?;
        let entry = HeatCache {
            fluid_k,
            ambient_k,
            heat_w: q.w().max(0.0),
            surface_k: surface.kelvin(),
        };
        if let Some(slot) = self.heat_cache.get_mut(s) {
            *slot = Some(entry);
        }
        Ok((entry.heat_w, entry.surface_k))
    }

    /// The pressure a trap or consumer condensate discharges to [Pa].
    fn discharge_pressure(&self, discharge: Discharge) -> f64 {
        match discharge {
            Discharge::Drain => physics::atmosphere().pa(),
            Discharge::Return(r) => self
                .plant
                .condensate_returns
                .get(r)
                .map_or(physics::atmosphere().pa(), |c| c.receiver_pressure().pa()),
            Discharge::FlashVessel(v) => self
                .plant
                .flash_vessels
                .get(v)
                .map_or(physics::atmosphere().pa(), |f| f.pressure().pa()),
        }
    }

    /// Pressures and enthalpies from the boilers down, and the losses they
    /// imply (condensate, leaks, trap steam), stored for the next pass.
    fn top_down(&mut self, f: &Flows, c: &Conditions<'_>, ambient_k: f64) -> Result<States> {
        let headers = self.plant.headers.len();
        let segments = self.plant.segments.len();
        let consumers = self.plant.consumers.len();
        let mut st = States {
            header_p: vec![0.0; headers],
            header_h: vec![0.0; headers],
            segment_in_p: vec![0.0; segments],
            segment_out_p: vec![0.0; segments],
            segment_out_h: vec![0.0; segments],
            segment_in_t: vec![0.0; segments],
            consumer_p: vec![0.0; consumers],
            consumer_h: vec![0.0; consumers],
            boiler_h: vec![0.0; self.plant.boilers.len()],
            heat_w: vec![0.0; segments],
            surface_k: vec![0.0; segments],
        };
        let order = self.network.order.clone();
        for visit in order {
            match visit {
                Visit::Header(h) => self.header_state(h, f, &mut st)?,
                Visit::Segment(s) => self.segment_state(s, f, c, ambient_k, &mut st)?,
                Visit::Consumer(k) => {
                    let (p, h) = match self.network.consumer_feed.get(k) {
                        Some(Feed::Header(h)) => (get(&st.header_p, *h), get(&st.header_h, *h)),
                        Some(Feed::Segment(s)) => {
                            (get(&st.segment_out_p, *s), get(&st.segment_out_h, *s))
                        }
                        None => (0.0, 0.0),
                    };
                    set(&mut st.consumer_p, k, p);
                    set(&mut st.consumer_h, k, h);
                }
                Visit::Prv(_) => {}
            }
        }
        self.trap_losses(&st, c)?;
        Ok(st)
    }

    fn header_state(&self, h: usize, f: &Flows, st: &mut States) -> Result<()> {
        let supply = get(&f.header_supply, h);
        let flash = get(&f.flash_used, h);
        let (p, supply_h) = match self.network.header_supply.get(h) {
            Some(HeaderSupply::Boilers(boilers)) => {
                let p = self
                    .plant
                    .headers
                    .get(h)
                    .map_or(0.0, |x| x.operating_pressure().pa());
                let mut h_mix = 0.0;
                let mut share = 0.0;
                for &b in boilers {
                    let hb = self.boiler_enthalpy(b, p)?;
                    set(&mut st.boiler_h, b, hb);
                    h_mix += hb * get(&self.boiler_share, b);
                    share += get(&self.boiler_share, b);
                }
                (
                    p,
                    if share > 0.0 {
                        h_mix / share
                    } else {
                        sat(p)?.hg.j_per_kg()
                    },
                )
            }
            Some(HeaderSupply::Prv(prv)) => {
                let (from, setpoint) = match (
                    self.network.prv_headers.get(*prv),
                    self.plant.prvs.get(*prv),
                ) {
                    (Some(&(from, _)), Some(valve)) => (from, valve.setpoint().pa()),
                    _ => return Err(PhysicsError(format!("PRV {prv} is not resolved"))),
                };
                let upstream = get(&st.header_p, from);
                // Throttling is isenthalpic: the reduced steam carries the upstream enthalpy.
                (
                    setpoint
                        .min(upstream - PRV_MIN_DROP_PA)
                        .max(MIN_PRESSURE_PA),
                    get(&st.header_h, from),
                )
            }
            Some(HeaderSupply::Segment(s)) => {
                (get(&st.segment_out_p, *s), get(&st.segment_out_h, *s))
            }
            None => return Err(PhysicsError(format!("header {h} has no supply"))),
        };
        set(&mut st.header_p, h, p);
        set(
            &mut st.header_h,
            h,
            self.with_flash(h, supply, supply_h, flash),
        );
        Ok(())
    }

    fn segment_state(
        &mut self,
        s: usize,
        f: &Flows,
        c: &Conditions<'_>,
        ambient_k: f64,
        st: &mut States,
    ) -> Result<()> {
        let (p_in, h_in) = match self.network.segment_start.get(s) {
            Some(SegmentStart::Header(h)) => (get(&st.header_p, *h), get(&st.header_h, *h)),
            Some(SegmentStart::Segment(parent)) => (
                get(&st.segment_out_p, *parent),
                get(&st.segment_out_h, *parent),
            ),
            None => return Err(PhysicsError(format!("segment {s} is not resolved"))),
        };
        let state_in = state_ph(p_in, h_in)?;
        let m_in = get(&f.segment_in, s);
        let geometry = *self
            .geometry
            .get(s)
            .ok_or_else(|| PhysicsError(format!("no segment {s}")))?;
        let dp = physics::segment_pressure_drop(
            &geometry,
            &state_in,
            steamflow_operators::units::MassFlow::from_kg_per_s(m_in),
        )?;
        let p_out = (p_in - dp.pa()).max(MIN_PRESSURE_PA);
        let (q_w, surface_k) = self.heat_loss(s, state_in.t.kelvin(), ambient_k)?;
        let hole_mm = c.leaks_mm.get(s).copied().unwrap_or(0.0);
        let leak = physics::saturated_orifice_flow(
            Pressure::from_pa(p_in),
            physics::atmosphere(),
            Length::from_mm(hole_mm),
        )?
        .kg_per_s();
        set(&mut self.leak, s, leak);
        let drip_steam: f64 = self
            .network
            .segment_traps
            .get(s)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|&t| get(&self.trap_steam, t))
            .sum();
        let through = (m_in - leak - drip_steam).max(0.0);
        let out = sat(p_out)?;
        let has_traps = self
            .network
            .segment_traps
            .get(s)
            .is_some_and(|t| !t.is_empty());
        let (condensate, h_out) = if through > 1e-9 {
            let h_after = h_in - q_w / through;
            if has_traps && h_after < out.hg.j_per_kg() {
                // The drip legs separate the liquid: saturated vapour continues.
                let x_loss = (out.hg.j_per_kg() - h_after) / out.hfg();
                (through * x_loss.clamp(0.0, 1.0), out.hg.j_per_kg())
            } else {
                (0.0, h_after.max(out.hf.j_per_kg()))
            }
        } else if has_traps {
            // A dead leg: the heat loss condenses steam that the traps drain.
            (q_w / out.hfg(), out.hg.j_per_kg())
        } else {
            (0.0, h_in)
        };
        set(&mut self.condensate, s, condensate);
        set(&mut st.segment_in_p, s, p_in);
        set(&mut st.segment_out_p, s, p_out);
        set(&mut st.segment_out_h, s, h_out);
        set(&mut st.segment_in_t, s, state_in.t.kelvin());
        set(&mut st.heat_w, s, q_w);
        set(&mut st.surface_k, s, surface_k);
        Ok(())
    }

    /// The pressure at a trap's inlet [Pa].
    fn trap_pressure(&self, t: usize, st: &States) -> f64 {
        match self.network.trap_site.get(t) {
            Some(TrapSite::Segment(s)) => get(&st.segment_out_p, *s),
            Some(TrapSite::Consumer(c)) => get(&st.consumer_p, *c),
            None => physics::atmosphere().pa(),
        }
    }

    fn trap_losses(&mut self, st: &States, c: &Conditions<'_>) -> Result<()> {
        for t in 0..self.plant.traps.len() {
            let Some(trap) = self.plant.traps.get(t) else {
                continue;
            };
            let condition = c.traps.get(t).copied().unwrap_or(TrapCondition::Healthy);
            let open = open_fraction(trap.trap_type, condition);
            let p = self.trap_pressure(t, st);
            let discharge = self
                .network
                .trap_discharge
                .get(t)
                .copied()
                .unwrap_or(Discharge::Drain);
            // Live steam passes through whatever share of the seat area is open.
            let loss = physics::saturated_orifice_flow(
                Pressure::from_pa(p),
                Pressure::from_pa(self.discharge_pressure(discharge)),
                physics::partial_opening(trap.orifice(), open),
            )?
            .kg_per_s();
            set(&mut self.trap_steam, t, loss);
        }
        Ok(())
    }

    /// Moves the plant one step on.
    pub(crate) fn step(&mut self, c: &Conditions<'_>) -> Result<Snapshot> {
        let ambient_k = self.ambient_k(c.hour_of_day);
        let demand = self.demands(c);
        let process = self.effective_demand(&demand, c.traps);
        let mut states = States::default();
        for _ in 0..2 {
            let flows = self.bottom_up(&process);
            states = self.top_down(&flows, c, ambient_k)?;
        }
        // The final flows carry exactly the losses the snapshot reports.
        let flows = self.bottom_up(&process);
        let mut snapshot = self.snapshot(&flows, &states, &process, ambient_k)?;
        self.condensate_side(&states, &process, c, ambient_k, &mut snapshot)?;
        Ok(snapshot)
    }

    fn snapshot(
        &self,
        f: &Flows,
        st: &States,
        process: &[f64],
        ambient_k: f64,
    ) -> Result<Snapshot> {
        let kg_h = |kg_s: f64| kg_s * 3600.0;
        let mut snap = Snapshot {
            ambient_c: celsius(ambient_k),
            wind_m_s: self.plant.ambient.design_wind_speed_m_s,
            ..Snapshot::default()
        };
        for (b, boiler) in self.plant.boilers.iter().enumerate() {
            let header = self.network.boiler_header.get(b).copied().unwrap_or(0);
            let flow = get(&f.boiler, b);
            let load = if boiler.capacity_kg_h > 0.0 {
                kg_h(flow) / boiler.capacity_kg_h
            } else {
                0.0
            };
            let p = get(&st.header_p, header) + BOILER_OUTLET_DROP_PA * load * load;
            let t = state_ph(p, get(&st.boiler_h, b))?.t.kelvin();
            snap.boilers.push(BoilerValues {
                flow_kg_h: kg_h(flow),
                pressure_barg: barg(p),
                temperature_c: celsius(t),
                feedwater_c: boiler.feedwater_temperature_c,
            });
            snap.balance.energy_in_kw += flow
                * (get(&st.boiler_h, b)
                    - if97::h_pt(Pressure::from_pa(p), boiler.feedwater_temperature())?.j_per_kg())
                / 1000.0;
        }
        for h in 0..self.plant.headers.len() {
            let p = get(&st.header_p, h);
            snap.headers.push(HeaderValues {
                pressure_barg: barg(p),
                temperature_c: celsius(state_ph(p, get(&st.header_h, h))?.t.kelvin()),
                flow_kg_h: kg_h(get(&f.header_load, h)),
            });
        }
        for (p, &(_, to)) in self.network.prv_headers.iter().enumerate() {
            snap.prvs
                .push((kg_h(get(&f.prv, p)), barg(get(&st.header_p, to))));
        }
        for s in 0..self.plant.segments.len() {
            let leak = kg_h(get(&self.leak, s));
            let mut levels = vec![ACOUSTIC_BACKGROUND_DB + 8.0];
            if leak > 0.0 {
                levels.push(steam_noise_db(leak) + 5.0);
            }
            snap.segments.push(SegmentValues {
                inlet_barg: barg(get(&st.segment_in_p, s)),
                outlet_barg: barg(get(&st.segment_out_p, s)),
                flow_kg_h: kg_h(get(&f.segment_in, s)),
                surface_c: celsius(get(&st.surface_k, s)),
                acoustic_db: add_levels(&levels),
                heat_loss_kw: get(&st.heat_w, s) / 1000.0,
                condensate_kg_h: kg_h(get(&self.condensate, s)),
                leak_kg_h: leak,
            });
        }
        for k in 0..self.plant.consumers.len() {
            let p = get(&st.consumer_p, k);
            snap.consumers.push(ConsumerValues {
                flow_kg_h: kg_h(get(&f.consumer, k)),
                process_kg_h: kg_h(get(process, k)),
                pressure_barg: barg(p),
                temperature_c: celsius(state_ph(p, get(&st.consumer_h, k))?.t.kelvin()),
            });
        }
        let b = &mut snap.balance;
        b.generation_kg_h = kg_h(f.boiler.iter().sum());
        b.process_kg_h = kg_h(process.iter().sum());
        b.consumer_metered_kg_h = kg_h(f.consumer.iter().sum());
        b.trap_steam_kg_h = kg_h(self.trap_steam.iter().sum());
        b.pipe_condensate_kg_h = kg_h(self.condensate.iter().sum());
        b.leak_kg_h = kg_h(self.leak.iter().sum());
        b.flash_recovered_kg_h = kg_h(f.flash_used.iter().sum());
        b.pipe_heat_loss_kw = st.heat_w.iter().sum::<f64>() / 1000.0;
        Ok(snap)
    }

    /// Traps, flash vessels and condensate returns: what is discharged where,
    /// the trap sensors, and the flash steam that feeds headers next step.
    fn condensate_side(
        &mut self,
        st: &States,
        process: &[f64],
        c: &Conditions<'_>,
        ambient_k: f64,
        snap: &mut Snapshot,
    ) -> Result<()> {
        let vessels = self.plant.flash_vessels.len();
        let returns = self.plant.condensate_returns.len();
        // Inflows as (mass [kg/s], enthalpy flow [W]).
        let mut to_vessel = vec![(0.0, 0.0); vessels];
        let mut to_return = vec![(0.0, 0.0); returns];
        let mut drained = 0.0;
        let mut held = 0.0;
        let mut route = |discharge: Discharge, m: f64, h: f64, drained: &mut f64| match discharge {
            Discharge::FlashVessel(v) => add(&mut to_vessel, v, m, h),
            Discharge::Return(r) => add(&mut to_return, r, m, h),
            Discharge::Drain => *drained += m,
        };
        for t in 0..self.plant.traps.len() {
            let Some(trap) = self.plant.traps.get(t) else {
                continue;
            };
            let condition = c.traps.get(t).copied().unwrap_or(TrapCondition::Healthy);
            let p = self.trap_pressure(t, st);
            let saturation = sat(p)?;
            let liquid = match self.network.trap_site.get(t) {
                Some(TrapSite::Segment(s)) => {
                    let n = self
                        .network
                        .segment_traps
                        .get(*s)
                        .map_or(1, Vec::len)
                        .max(1) as f64;
                    get(&self.condensate, *s) / n
                }
                Some(TrapSite::Consumer(k)) => {
                    let n = self
                        .network
                        .consumer_traps
                        .get(*k)
                        .map_or(1, Vec::len)
                        .max(1) as f64;
                    get(process, *k) / n
                }
                None => 0.0,
            };
            let steam = get(&self.trap_steam, t);
            let discharge = self
                .network
                .trap_discharge
                .get(t)
                .copied()
                .unwrap_or(Discharge::Drain);
            let sensors = self.trap_sensors(
                t,
                trap.trap_type,
                condition,
                &saturation,
                liquid,
                steam,
                discharge,
                c,
                ambient_k,
            )?;
            if is_blocked(condition) {
                held += liquid;
            } else {
                let subcooled = saturation.t.kelvin() - healthy_subcooling_k(trap.trap_type);
                let h_liquid =
                    if97::h_pt(Pressure::from_pa(p), Temperature::from_kelvin(subcooled))?
                        .j_per_kg();
                route(discharge, liquid, h_liquid, &mut drained);
                route(discharge, steam, saturation.hg.j_per_kg(), &mut drained);
            }
            snap.traps.push(sensors);
        }
        for (k, feed_traps) in self.network.consumer_traps.iter().enumerate() {
            if feed_traps.is_empty() {
                let discharge = self
                    .network
                    .consumer_condensate
                    .get(k)
                    .copied()
                    .unwrap_or(Discharge::Drain);
                let h_liquid = sat(get(&st.consumer_p, k))?.hf.j_per_kg();
                route(discharge, get(process, k), h_liquid, &mut drained);
            }
        }
        let mut flash_out = vec![0.0; self.plant.headers.len()];
        let mut flash_h = vec![0.0; self.plant.headers.len()];
        let mut vented = 0.0;
        for v in 0..vessels {
            let (m, enthalpy_flow) = to_vessel.get(v).copied().unwrap_or((0.0, 0.0));
            let p = self
                .plant
                .flash_vessels
                .get(v)
                .map_or(physics::atmosphere().pa(), |x| x.pressure().pa());
            let point = sat(p)?;
            let x = if m > 0.0 {
                point.flash_fraction(SpecificEnthalpy::from_j_per_kg(enthalpy_flow / m))
            } else {
                0.0
            };
            let flash = m * x;
            match self.network.flash_header.get(v).copied().flatten() {
                Some(h) => {
                    let total = get(&flash_out, h) + flash;
                    set(&mut flash_out, h, total);
                    set(&mut flash_h, h, point.hg.j_per_kg());
                }
                None => vented += flash,
            }
            match self
                .network
                .flash_condensate
                .get(v)
                .copied()
                .unwrap_or(Discharge::Drain)
            {
                Discharge::Return(r) => add(&mut to_return, r, m - flash, point.hf.j_per_kg()),
                _ => drained += m - flash,
            }
            snap.flash_vessels.push(FlashValues {
                pressure_barg: barg(p),
                flash_kg_h: flash * 3600.0,
            });
        }
        let mut returned = 0.0;
        for r in 0..returns {
            let (m, enthalpy_flow) = to_return.get(r).copied().unwrap_or((0.0, 0.0));
            let p = self
                .plant
                .condensate_returns
                .get(r)
                .map_or(physics::atmosphere().pa(), |x| x.receiver_pressure().pa());
            let point = sat(p)?;
            let x = if m > 0.0 {
                point.flash_fraction(SpecificEnthalpy::from_j_per_kg(enthalpy_flow / m))
            } else {
                0.0
            };
            let liquid = m * (1.0 - x);
            vented += m * x;
            returned += liquid;
            let temperature = if liquid > 0.0 {
                point.t.kelvin() - RETURN_LINE_COOLING_K
            } else {
                ambient_k + 10.0
            };
            snap.returns.push(ReturnValues {
                flow_kg_h: liquid * 3600.0,
                temperature_c: celsius(temperature),
                vented_kg_h: m * x * 3600.0,
            });
        }
        self.flash_in = flash_out;
        self.flash_h = flash_h;
        let b = &mut snap.balance;
        b.condensate_returned_kg_h = returned * 3600.0;
        b.flash_vented_kg_h = vented * 3600.0;
        b.drained_kg_h = drained * 3600.0;
        b.held_back_kg_h = held * 3600.0;
        Ok(())
    }

    /// A trap's inlet and outlet temperatures and its ultrasonic level.
    #[allow(clippy::too_many_arguments)]
    fn trap_sensors(
        &self,
        t: usize,
        kind: TrapType,
        condition: TrapCondition,
        saturation: &SatPoint,
        liquid: f64,
        steam: f64,
        discharge: Discharge,
        c: &Conditions<'_>,
        ambient_k: f64,
    ) -> Result<TrapValues> {
        let t_sat = saturation.t.kelvin();
        let t_dest = sat(self.discharge_pressure(discharge))?.t.kelvin();
        let healthy_in = t_sat - healthy_subcooling_k(kind);
        let (steam_kg_h, liquid_kg_h) = (steam * 3600.0, liquid * 3600.0);
        // Live steam in the discharge keeps the outlet pipe near the inlet temperature.
        let steam_share = if steam + liquid > 0.0 {
            steam / (steam + liquid)
        } else {
            0.0
        };
        let outlet_for =
            |inlet: f64| t_dest + (inlet - t_dest).max(0.0) * (1.0 - (-5.0 * steam_share).exp());
        let cycle = if kind.is_cyclic() {
            // Cyclic traps discharge in bursts: louder for a fifth of a 30 s cycle.
            let phase = (c.elapsed_s + 7.0 * t as f64) % 30.0;
            if phase < 6.0 { 8.0 } else { -10.0 }
        } else {
            0.0
        };
        let (inlet, outlet, level) = match condition {
            TrapCondition::Failed {
                failure: TrapFailure::Blocked,
                since_s,
            } => {
                let floor = ambient_k + BLOCKED_FLOOR * (t_sat - ambient_k);
                let decay = (-since_s / BLOCKED_TAU_S).exp();
                let inlet = floor + (healthy_in - floor) * decay;
                let outlet_floor = ambient_k + 0.3 * (t_dest - ambient_k);
                let outlet = outlet_floor + (outlet_for(healthy_in) - outlet_floor) * decay;
                (inlet, outlet, ACOUSTIC_BACKGROUND_DB)
            }
            TrapCondition::Failed {
                failure: TrapFailure::BlownOpen | TrapFailure::Leaking { .. },
                ..
            } => {
                let inlet = t_sat - 0.5;
                let level = add_levels(&[
                    ACOUSTIC_BACKGROUND_DB,
                    condensate_noise_db(liquid_kg_h),
                    steam_noise_db(steam_kg_h),
                ]);
                (inlet, outlet_for(inlet), level)
            }
            TrapCondition::Failed {
                failure: TrapFailure::Degraded { .. },
                ..
            } => {
                let inlet = healthy_in - 6.0;
                let level = add_levels(&[
                    ACOUSTIC_BACKGROUND_DB,
                    condensate_noise_db(liquid_kg_h) + cycle,
                    steam_noise_db(steam_kg_h),
                ]);
                (inlet, outlet_for(inlet), level)
            }
            TrapCondition::Healthy => {
                let level = add_levels(&[
                    ACOUSTIC_BACKGROUND_DB,
                    condensate_noise_db(liquid_kg_h) + cycle,
                    steam_noise_db(steam_kg_h),
                ]);
                (healthy_in, outlet_for(healthy_in), level)
            }
        };
        Ok(TrapValues {
            inlet_c: celsius(inlet),
            outlet_c: celsius(outlet),
            acoustic_db: level,
            steam_loss_kg_h: steam_kg_h,
            condensate_kg_h: if is_blocked(condition) {
                0.0
            } else {
                liquid_kg_h
            },
            saturation_c: celsius(t_sat),
        })
    }

    /// The plant being simulated.
    pub(crate) fn plant(&self) -> &Plant {
        &self.plant
    }
}

fn get(values: &[f64], index: usize) -> f64 {
    values.get(index).copied().unwrap_or(0.0)
}

fn set(values: &mut [f64], index: usize, value: f64) {
    if let Some(slot) = values.get_mut(index) {
        *slot = value;
    }
}

fn add(flows: &mut [(f64, f64)], index: usize, m: f64, h: f64) {
    if let Some(slot) = flows.get_mut(index) {
        slot.0 += m;
        slot.1 += m * h;
    }
}
