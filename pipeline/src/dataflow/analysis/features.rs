//! `steam_states`: features per asset and window.
//!
//! - **Boilers, headers, consumers**: the IAPWS-IF97 state of the steam
//!   from the window means of pressure and temperature: saturation
//!   temperature, superheat, specific enthalpy and entropy. Above
//!   saturation by more than [`SUPERHEAT_MARGIN_K`] the steam is
//!   superheated (dryness 1 by definition); within the margin it is taken as
//!   dry saturated vapour (h_g, s_g), and its dryness is reported as
//!   unknown — pressure and temperature cannot tell wet from dry saturated
//!   steam, and no dryness measurement exists in the plant model. Without a
//!   temperature tag the state is the dry saturated one at the pressure.
//!   A temperature below saturation by more than the margin is condensate
//!   or a sensor fault: no enthalpy is given.
//! - **Segments**: the measured pressure drop (inlet − outlet) where the
//!   inlet is measured (its own tag, or the header it starts at) and the
//!   outlet has a tag; the heat loss and the steam it condenses, from the
//!   window's balance (insulated pipe model, ambient of the window).
//! - **Traps**: ΔT across the trap (inlet − outlet means) and the inlet
//!   subcooling below saturation.
//!
//! Across windows, per asset: a moving average of pressure and temperature
//! (of the pressure drop for segments, of ΔT for traps) over the last
//! `moving_average_windows` windows that had a value (this one included),
//! and the rate of change from the previous such window, per minute.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use steamflow_operators::analysis::plant_balance::{PlantBalance, SUPERHEAT_MARGIN_K};
use steamflow_operators::analysis::trap_status::TrapAssessment;
use steamflow_operators::if97::{Saturation, state_pt};
use steamflow_operators::plant::SegmentStart;
use steamflow_operators::units::{Pressure, Temperature};

use super::fields::{F64, Fields, finite};
use super::model::WindowView;
use crate::dataflow::key::KeyRegistry;
use crate::dataflow::render::OutputRecord;

/// The kind of asset a steam state describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssetKind {
    /// A boiler's outlet.
    Boiler,
    /// A header.
    Header,
    /// A consumer's inlet.
    Consumer,
    /// A pipe segment.
    Segment,
    /// A steam trap.
    Trap,
}

impl AssetKind {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            AssetKind::Boiler => "boiler",
            AssetKind::Header => "header",
            AssetKind::Consumer => "consumer",
            AssetKind::Segment => "segment",
            AssetKind::Trap => "trap",
        }
    }
}

/// The phase the measured state shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Above saturation by more than the margin.
    Superheated,
    /// Within the margin of saturation (or no temperature measured).
    Saturated,
    /// Below saturation by more than the margin: condensate or a sensor fault.
    BelowSaturation,
}

impl Phase {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Superheated => "superheated",
            Phase::Saturated => "saturated",
            Phase::BelowSaturation => "below_saturation",
        }
    }
}

/// Features of one asset in one window (the `steam_states` stream). Fields
/// that do not apply to the asset's kind are `None`.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SteamState {
    /// The plant.
    pub plant: String,
    /// Window start \[ms\].
    pub window_start_ms: u64,
    /// The kind of asset.
    pub kind: Option<AssetKind>,
    /// The asset's id.
    pub asset: String,
    /// Window end (exclusive) \[ms\].
    pub window_end_ms: u64,
    /// Mean pressure \[barg\].
    pub pressure_barg: Option<F64>,
    /// Mean temperature \[°C\].
    pub temperature_c: Option<F64>,
    /// Saturation temperature at the pressure \[°C\].
    pub saturation_temperature_c: Option<F64>,
    /// Temperature above saturation \[K\].
    pub superheat_k: Option<F64>,
    /// The phase the state shows.
    pub phase: Option<Phase>,
    /// Specific enthalpy \[kJ/kg\].
    pub enthalpy_kj_kg: Option<F64>,
    /// Specific entropy \[kJ/(kg K)\].
    pub entropy_kj_kg_k: Option<F64>,
    /// Dryness fraction, where it is known (1 for superheated steam).
    pub dryness: Option<F64>,
    /// Segment: inlet pressure \[barg\] (measured, or its header's).
    pub inlet_pressure_barg: Option<F64>,
    /// Segment: measured outlet pressure \[barg\].
    pub outlet_pressure_barg: Option<F64>,
    /// Segment: inlet − outlet \[bar\].
    pub pressure_drop_bar: Option<F64>,
    /// Segment: heat lost \[kW\].
    pub heat_loss_kw: Option<F64>,
    /// Segment: steam it condenses \[kg/h\].
    pub condensation_kg_h: Option<F64>,
    /// Trap: mean inlet temperature \[°C\].
    pub inlet_temperature_c: Option<F64>,
    /// Trap: mean outlet temperature \[°C\].
    pub outlet_temperature_c: Option<F64>,
    /// Trap: inlet − outlet \[K\].
    pub delta_t_k: Option<F64>,
    /// Trap: saturation at the inlet pressure − inlet temperature \[K\].
    pub subcooling_k: Option<F64>,
    /// Moving average of the pressure \[barg\] (segments: of the drop \[bar\]).
    pub pressure_avg: Option<F64>,
    /// Rate of change of the pressure \[bar/min\] (segments: of the drop).
    pub pressure_rate_per_min: Option<F64>,
    /// Moving average of the temperature \[°C\] (traps: of ΔT \[K\]).
    pub temperature_avg: Option<F64>,
    /// Rate of change of the temperature \[K/min\] (traps: of ΔT).
    pub temperature_rate_per_min: Option<F64>,
}

/// The IF97 state of steam at a measured pressure (and temperature).
fn steam_fields(state: &mut SteamState, p: Pressure, t: Option<Temperature>) {
    state.pressure_barg = finite(p.barg());
    state.temperature_c = t.and_then(|t| finite(t.celsius()));
    let Ok(sat) = Saturation::at_pressure(p) else {
        return;
    };
    state.saturation_temperature_c = finite(sat.t.celsius());
    let superheat = t.map(|t| t.kelvin() - sat.t.kelvin());
    state.superheat_k = superheat.and_then(finite);
    match superheat {
        Some(dt) if dt > SUPERHEAT_MARGIN_K => {
            state.phase = Some(Phase::Superheated);
            if let Some(Ok(s)) = t.map(|t| state_pt(p, t)) {
                state.enthalpy_kj_kg = finite(s.h.kj_per_kg());
                state.entropy_kj_kg_k = finite(s.s.kj_per_kg_k());
                state.dryness = Some(F64(1.0));
            }
        }
        Some(dt) if dt < -SUPERHEAT_MARGIN_K => state.phase = Some(Phase::BelowSaturation),
        _ => {
            state.phase = Some(Phase::Saturated);
            state.enthalpy_kj_kg = finite(sat.vapour.h.kj_per_kg());
            state.entropy_kj_kg_k = finite(sat.vapour.s.kj_per_kg_k());
        }
    }
}

/// The features of every asset of the window, before moving averages.
pub fn window_features(
    view: &WindowView<'_>,
    window_start_ms: u64,
    window_end_ms: u64,
    traps: &[TrapAssessment],
    balance: Option<&PlantBalance>,
) -> Vec<SteamState> {
    let plant = view.plant();
    let base = |kind: AssetKind, asset: &str| SteamState {
        plant: plant.id.clone(),
        window_start_ms,
        kind: Some(kind),
        asset: asset.to_owned(),
        window_end_ms,
        ..SteamState::default()
    };
    let mut out = Vec::new();
    for b in &plant.plant.boilers {
        if let Some(p) = view.pressure(b.pressure_tag.as_deref()) {
            let mut state = base(AssetKind::Boiler, &b.id);
            steam_fields(
                &mut state,
                p,
                view.temperature(b.temperature_tag.as_deref()),
            );
            out.push(state);
        }
    }
    for h in &plant.plant.headers {
        if let Some(p) = view.pressure(h.pressure_tag.as_deref()) {
            let mut state = base(AssetKind::Header, &h.id);
            steam_fields(
                &mut state,
                p,
                view.temperature(h.temperature_tag.as_deref()),
            );
            out.push(state);
        }
    }
    for c in &plant.plant.consumers {
        if let Some(p) = view.pressure(c.pressure_tag.as_deref()) {
            let mut state = base(AssetKind::Consumer, &c.id);
            steam_fields(
                &mut state,
                p,
                view.temperature(c.temperature_tag.as_deref()),
            );
            out.push(state);
        }
    }
    for (index, s) in plant.plant.segments.iter().enumerate() {
        let mut state = base(AssetKind::Segment, &s.id);
        segment_fields(view, index, &mut state);
        if let Some(loss) = balance.and_then(|b| b.segments.iter().find(|l| l.index == index)) {
            state.heat_loss_kw = finite(loss.heat_loss.kw());
            state.condensation_kg_h = finite(loss.condensation.kg_per_h());
        }
        out.push(state);
    }
    for (index, t) in plant.plant.traps.iter().enumerate() {
        let mut state = base(AssetKind::Trap, &t.id);
        let inlet = view.temperature(t.inlet_temperature_tag.as_deref());
        let outlet = view.temperature(t.outlet_temperature_tag.as_deref());
        state.inlet_temperature_c = inlet.and_then(|t| finite(t.celsius()));
        state.outlet_temperature_c = outlet.and_then(|t| finite(t.celsius()));
        if let (Some(i), Some(o)) = (inlet, outlet) {
            state.delta_t_k = finite(i.kelvin() - o.kelvin());
        }
        state.subcooling_k = traps
            .get(index)
            .and_then(|a| a.inlet_subcooling)
            .and_then(|d| finite(d.kelvin()));
        out.push(state);
    }
    out
}

/// A segment's measured pressures and drop.
fn segment_fields(view: &WindowView<'_>, index: usize, state: &mut SteamState) {
    let plant = view.plant();
    let Some(s) = plant.plant.segments.get(index) else {
        return;
    };
    let measured_inlet = view.pressure(s.inlet_pressure_tag.as_deref()).or_else(|| {
        match plant.network.segment_start.get(index)? {
            SegmentStart::Header(h) => {
                let header = plant.plant.headers.get(*h)?;
                view.pressure(header.pressure_tag.as_deref())
            }
            SegmentStart::Segment(up) => {
                let upstream = plant.plant.segments.get(*up)?;
                view.pressure(upstream.outlet_pressure_tag.as_deref())
            }
        }
    });
    let outlet = view.pressure(s.outlet_pressure_tag.as_deref());
    state.inlet_pressure_barg = measured_inlet.and_then(|p| finite(p.barg()));
    state.outlet_pressure_barg = outlet.and_then(|p| finite(p.barg()));
    if let (Some(i), Some(o)) = (measured_inlet, outlet) {
        state.pressure_drop_bar = finite((i.pa() - o.pa()) / 1e5);
    }
}

/// One quantity's recent window values, for moving averages and rates.
#[derive(Clone, Debug, Default, PartialEq)]
struct Series {
    /// (window start \[ms\], value), oldest first.
    recent: VecDeque<(u64, f64)>,
}

impl Series {
    /// Adds a value; returns the moving average and the rate per minute
    /// from the previous value.
    fn push(&mut self, start_ms: u64, value: f64, length: usize) -> (Option<F64>, Option<F64>) {
        let rate = self.recent.back().and_then(|(t, v)| {
            let minutes = start_ms.saturating_sub(*t) as f64 / 60_000.0;
            (minutes > 0.0).then(|| (value - v) / minutes)
        });
        self.recent.push_back((start_ms, value));
        while self.recent.len() > length.max(1) {
            self.recent.pop_front();
        }
        let mean = self.recent.iter().map(|(_, v)| v).sum::<f64>() / self.recent.len() as f64;
        (finite(mean), rate.and_then(finite))
    }
}

/// The moving averages of one plant's assets (state carried across windows).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FeatureState {
    /// Per (kind, asset id): the pressure-like and temperature-like series.
    series: std::collections::BTreeMap<(AssetKind, String), (Series, Series)>,
}

impl FeatureState {
    /// Adds the moving averages and rates of change to this window's features.
    pub fn step(&mut self, states: &mut [SteamState], windows: u32) {
        let length = windows as usize;
        for state in states.iter_mut() {
            let Some(kind) = state.kind else {
                continue;
            };
            let (pressure, temperature) = match kind {
                AssetKind::Segment => (state.pressure_drop_bar, None),
                AssetKind::Trap => (None, state.delta_t_k),
                _ => (state.pressure_barg, state.temperature_c),
            };
            if pressure.is_none() && temperature.is_none() {
                continue;
            }
            let series = self.series.entry((kind, state.asset.clone())).or_default();
            let start = state.window_start_ms;
            if let Some(p) = pressure {
                (state.pressure_avg, state.pressure_rate_per_min) =
                    series.0.push(start, p.get(), length);
            }
            if let Some(t) = temperature {
                (state.temperature_avg, state.temperature_rate_per_min) =
                    series.1.push(start, t.get(), length);
            }
        }
    }
}

impl OutputRecord for SteamState {
    fn write_fields(&self, _names: &KeyRegistry, out: &mut String) {
        Fields::new(out)
            .str("plant", &self.plant)
            .opt_str("kind", self.kind.map(AssetKind::as_str))
            .str("asset", &self.asset)
            .time("window_start", self.window_start_ms)
            .time("window_end", self.window_end_ms)
            .opt("pressure_barg", self.pressure_barg)
            .opt("temperature_c", self.temperature_c)
            .opt("saturation_temperature_c", self.saturation_temperature_c)
            .opt("superheat_k", self.superheat_k)
            .opt_str("phase", self.phase.map(Phase::as_str))
            .opt("enthalpy_kj_kg", self.enthalpy_kj_kg)
            .opt("entropy_kj_kg_k", self.entropy_kj_kg_k)
            .opt("dryness", self.dryness)
            .opt("inlet_pressure_barg", self.inlet_pressure_barg)
            .opt("outlet_pressure_barg", self.outlet_pressure_barg)
            .opt("pressure_drop_bar", self.pressure_drop_bar)
            .opt("heat_loss_kw", self.heat_loss_kw)
            .opt("condensation_kg_h", self.condensation_kg_h)
            .opt("inlet_temperature_c", self.inlet_temperature_c)
            .opt("outlet_temperature_c", self.outlet_temperature_c)
            .opt("delta_t_k", self.delta_t_k)
            .opt("subcooling_k", self.subcooling_k)
            .opt("pressure_avg", self.pressure_avg)
            .opt("pressure_rate_per_min", self.pressure_rate_per_min)
            .opt("temperature_avg", self.temperature_avg)
            .opt("temperature_rate_per_min", self.temperature_rate_per_min);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn superheated_saturated_and_below() {
        let p = Pressure::from_barg(10.0);
        let mut hot = SteamState::default();
        steam_fields(&mut hot, p, Some(Temperature::from_celsius(250.0)));
        assert_eq!(hot.phase, Some(Phase::Superheated));
        let t_sat = hot.saturation_temperature_c.unwrap().get();
        assert!((t_sat - 184.1).abs() < 0.2, "{t_sat}");
        let h = hot.enthalpy_kj_kg.unwrap().get();
        assert!((h - 2942.0).abs() < 5.0, "{h}");
        assert_eq!(hot.dryness, Some(F64(1.0)));

        let mut sat = SteamState::default();
        steam_fields(&mut sat, p, None);
        assert_eq!(sat.phase, Some(Phase::Saturated));
        assert!((sat.enthalpy_kj_kg.unwrap().get() - 2781.0).abs() < 3.0);
        assert_eq!(sat.dryness, None);

        let mut cold = SteamState::default();
        steam_fields(&mut cold, p, Some(Temperature::from_celsius(150.0)));
        assert_eq!(cold.phase, Some(Phase::BelowSaturation));
        assert!(cold.enthalpy_kj_kg.is_none());
    }

    #[test]
    fn moving_average_and_rate() {
        let mut series = Series::default();
        assert_eq!(series.push(0, 10.0, 3), (Some(F64(10.0)), None));
        assert_eq!(
            series.push(60_000, 12.0, 3),
            (Some(F64(11.0)), Some(F64(2.0)))
        );
        assert_eq!(
            series.push(180_000, 14.0, 3),
            (Some(F64(12.0)), Some(F64(1.0)))
        );
        // The oldest value leaves the average.
        assert_eq!(series.push(240_000, 16.0, 3).0, Some(F64(14.0)));
    }
}
