//! The plants as the analysis stage reads them, and one window of a plant's
//! tags.
//!
//! An [`AnalysisModel`] is built once from the config and shared by every
//! worker: each plant's network resolved, its bound tags numbered (a tag's
//! *slot*), its prices, its trap thresholds and the alert rules that apply
//! to it. Window aggregates reach the stage keyed by [`TagKey`]; the model
//! turns a key into (plant, slot), and a plant's aggregates of one window
//! into a [`WindowView`]: the typed signals, pressures and observations the
//! calculations of `steamflow_operators::analysis` take.

use std::collections::HashMap;

use steamflow_operators::alerting::AlertPolicy;
use steamflow_operators::analysis::loss_pricing::LossPricing;
use steamflow_operators::analysis::plant_balance::PlantWindow;
use steamflow_operators::analysis::signal::SignalStats;
use steamflow_operators::analysis::trap_status::{TrapObservation, TrapThresholds};
use steamflow_operators::plant::{Discharge, Feed, Network, Plant, SegmentStart, TrapSite};
use steamflow_operators::reading::Quality;
use steamflow_operators::units::{Pressure, Temperature};

use crate::config::alerts::{AlertCondition, AlertRule};
use crate::config::{AnalysisConfig, Config};
use crate::dataflow::aggregate::Aggregate;
use crate::dataflow::key::{KeyMap, TagKey};

/// Why the analysis stage cannot be built.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum AnalysisError {
    /// A plant's model is inconsistent.
    #[error("plant `{plant}`: {message}")]
    Plant {
        /// The plant.
        plant: String,
        /// What is wrong.
        message: String,
    },
    /// The `[analysis]` settings are invalid.
    #[error("[analysis]: {0}")]
    Settings(String),
}

/// A window-level alert rule as one plant applies it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct WindowRule {
    /// The rule's id (`[alerts.<id>]`).
    pub(crate) id: String,
    /// What it watches.
    pub(crate) condition: AlertCondition,
    /// Severity and timing.
    pub(crate) policy: AlertPolicy,
    /// Dead band before an open alert stops holding (the condition's unit).
    pub(crate) hysteresis: f64,
}

/// A per-reading threshold rule on one tag of one plant.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ThresholdRule {
    /// The rule's id.
    pub(crate) id: String,
    /// The plant.
    pub(crate) plant: String,
    /// The tag.
    pub(crate) tag: String,
    /// Upper limit.
    pub(crate) above: Option<f64>,
    /// Lower limit.
    pub(crate) below: Option<f64>,
    /// Dead band.
    pub(crate) hysteresis: f64,
    /// Severity and timing.
    pub(crate) policy: AlertPolicy,
}

/// One plant as the analysis reads it.
#[derive(Clone, Debug)]
pub struct PlantModel {
    /// The plant's id (`[plants.<id>]`).
    pub id: String,
    /// Its asset model.
    pub plant: Plant,
    /// Its resolved network.
    pub network: Network,
    /// How its losses are valued.
    pub pricing: LossPricing,
    /// The thresholds of each trap (by index in `plant.traps`).
    pub trap_thresholds: Vec<TrapThresholds>,
    /// The healthy acoustic level set for each trap, if any.
    pub trap_baselines: Vec<Option<f64>>,
    tags: Vec<String>,
    slot_of: HashMap<String, u32>,
    pub(crate) rules: Vec<WindowRule>,
}

impl PlantModel {
    fn new(
        id: &str,
        plant: &Plant,
        analysis: &AnalysisConfig,
        alerts: &[(String, AlertRule)],
    ) -> Result<PlantModel, AnalysisError> {
        let network = Network::build(plant).map_err(|issues| AnalysisError::Plant {
            plant: id.to_owned(),
            message: issues
                .iter()
                .map(|i| format!("{}: {}", i.key, i.message))
                .collect::<Vec<_>>()
                .join("; "),
        })?;
        let mut tags = Vec::new();
        let mut slot_of = HashMap::new();
        for binding in plant.tag_bindings() {
            if !slot_of.contains_key(binding.tag) {
                slot_of.insert(binding.tag.to_owned(), tags.len() as u32);
                tags.push(binding.tag.to_owned());
            }
        }
        let rules = alerts
            .iter()
            .filter(|(_, rule)| rule.plants.is_empty() || rule.plants.iter().any(|p| p == id))
            .filter_map(|(rule_id, rule)| {
                let condition = rule.spec();
                (!matches!(condition, AlertCondition::Threshold { .. })).then(|| WindowRule {
                    id: rule_id.clone(),
                    condition,
                    policy: policy(rule),
                    hysteresis: rule.hysteresis,
                })
            })
            .collect();
        Ok(PlantModel {
            id: id.to_owned(),
            pricing: LossPricing::for_plant(plant).map_err(|e| AnalysisError::Plant {
                plant: id.to_owned(),
                message: format!("economics: the steam cost cannot be computed: {e}"),
            })?,
            trap_thresholds: plant
                .traps
                .iter()
                .map(|t| analysis.traps.thresholds(t.trap_type))
                .collect(),
            trap_baselines: plant
                .traps
                .iter()
                .map(|t| analysis.acoustic_baseline(id, &t.id))
                .collect(),
            plant: plant.clone(),
            network,
            tags,
            slot_of,
            rules,
        })
    }

    /// The slot of a tag bound by this plant.
    pub fn slot(&self, tag: &str) -> Option<u32> {
        self.slot_of.get(tag).copied()
    }

    /// The tag of a slot.
    pub fn tag(&self, slot: u32) -> Option<&str> {
        self.tags.get(slot as usize).map(String::as_str)
    }

    /// Number of tags the plant binds.
    pub fn tag_count(&self) -> usize {
        self.tags.len()
    }
}

fn policy(rule: &AlertRule) -> AlertPolicy {
    AlertPolicy::from_secs(
        rule.severity,
        rule.for_secs,
        rule.clear_for_secs,
        rule.repeat_secs,
    )
}

/// Every plant of a config as the analysis reads it, with the settings and
/// alert rules (see the [module docs](self)).
#[derive(Clone, Debug)]
pub struct AnalysisModel {
    plants: Vec<PlantModel>,
    slots: KeyMap<TagKey, (u32, u32)>,
    pub(crate) config: AnalysisConfig,
    pub(crate) thresholds: Vec<ThresholdRule>,
}

impl AnalysisModel {
    /// The model of a checked config: its plants, `[analysis]` and `[alerts]`.
    pub fn from_config(config: &Config) -> Result<AnalysisModel, AnalysisError> {
        let plants: Vec<(String, Plant)> = config
            .plants
            .iter()
            .map(|(id, plant)| (id.clone(), plant.clone()))
            .collect();
        let alerts: Vec<(String, AlertRule)> = config
            .alerts
            .iter()
            .map(|(id, rule)| (id.clone(), rule.clone()))
            .collect();
        AnalysisModel::new(&plants, &config.analysis, &alerts)
    }

    /// The model of `plants` (id, model) with `analysis` settings and alert
    /// rules (id, rule); errors on an inconsistent plant or invalid settings.
    pub fn new(
        plants: &[(String, Plant)],
        analysis: &AnalysisConfig,
        alerts: &[(String, AlertRule)],
    ) -> Result<AnalysisModel, AnalysisError> {
        if let Some((trap_type, error)) = analysis.traps.check().into_iter().next() {
            return Err(AnalysisError::Settings(format!(
                "traps.{trap_type}: {error}"
            )));
        }
        analysis
            .leaks
            .check()
            .map_err(|(part, error)| AnalysisError::Settings(format!("leaks.{part}: {error}")))?;
        if analysis.features.moving_average_windows == 0 {
            return Err(AnalysisError::Settings(
                "features.moving_average_windows must be at least 1".to_owned(),
            ));
        }
        let mut models = Vec::with_capacity(plants.len());
        let mut slots = KeyMap::default();
        for (index, (id, plant)) in plants.iter().enumerate() {
            let model = PlantModel::new(id, plant, analysis, alerts)?;
            super::stage::PlantState::new(&model, analysis).map_err(|message| {
                AnalysisError::Plant {
                    plant: id.clone(),
                    message,
                }
            })?;
            for (slot, tag) in model.tags.iter().enumerate() {
                slots.insert(TagKey::of(id, tag), (index as u32, slot as u32));
            }
            models.push(model);
        }
        let thresholds = threshold_rules(&models, alerts);
        Ok(AnalysisModel {
            plants: models,
            slots,
            config: analysis.clone(),
            thresholds,
        })
    }

    /// The plants, in config order.
    pub fn plants(&self) -> &[PlantModel] {
        &self.plants
    }

    /// One plant by index.
    pub fn plant(&self, index: u32) -> Option<&PlantModel> {
        self.plants.get(index as usize)
    }

    /// The (plant index, slot) of a key, when a plant binds it.
    pub fn locate(&self, key: TagKey) -> Option<(u32, u32)> {
        self.slots.get(&key).copied()
    }

    /// The analysis settings.
    pub fn settings(&self) -> &AnalysisConfig {
        &self.config
    }
}

/// The threshold rules, one per (rule, plant binding the tag, tag).
fn threshold_rules(plants: &[PlantModel], alerts: &[(String, AlertRule)]) -> Vec<ThresholdRule> {
    let mut out = Vec::new();
    for (id, rule) in alerts {
        let AlertCondition::Threshold { tags, above, below } = rule.spec() else {
            continue;
        };
        for plant in plants {
            if !(rule.plants.is_empty() || rule.plants.contains(&plant.id)) {
                continue;
            }
            for tag in &tags {
                if plant.slot(tag).is_some() {
                    out.push(ThresholdRule {
                        id: id.clone(),
                        plant: plant.id.clone(),
                        tag: tag.clone(),
                        above,
                        below,
                        hysteresis: rule.hysteresis,
                        policy: policy(rule),
                    });
                }
            }
        }
    }
    out
}

/// Signal summary of a window aggregate. Aggregates hold accepted readings
/// only (validation dead-letters bad ones) and carry no quality, so the
/// summary is graded good.
pub fn signal_stats<T>(agg: &Aggregate, convert: impl Fn(f64) -> T) -> SignalStats<T> {
    SignalStats {
        count: agg.count,
        mean: convert(agg.mean()),
        min: convert(agg.min),
        max: convert(agg.max),
        quality: Quality::Good,
    }
}

/// One plant's tag aggregates in one window.
#[derive(Clone, Debug)]
pub struct WindowView<'a> {
    plant: &'a PlantModel,
    stats: Vec<Option<Aggregate>>,
}

impl<'a> WindowView<'a> {
    /// The view of `parts`, (slot, aggregate) pairs; several aggregates of
    /// one slot merge, unknown slots are ignored.
    pub fn new(plant: &'a PlantModel, parts: &[(u32, Aggregate)]) -> Self {
        let mut stats: Vec<Option<Aggregate>> = vec![None; plant.tags.len()];
        for (slot, agg) in parts {
            if let Some(cell) = stats.get_mut(*slot as usize) {
                match cell {
                    Some(existing) => existing.merge(agg),
                    None => *cell = Some(*agg),
                }
            }
        }
        WindowView { plant, stats }
    }

    /// The plant.
    pub fn plant(&self) -> &'a PlantModel {
        self.plant
    }

    /// True when no bound tag has a value in the window.
    pub fn is_empty(&self) -> bool {
        self.stats.iter().all(Option::is_none)
    }

    /// The aggregate of a tag.
    pub fn aggregate(&self, tag: Option<&str>) -> Option<&Aggregate> {
        let slot = self.plant.slot(tag?)?;
        self.stats.get(slot as usize)?.as_ref()
    }

    /// The mean of a tag, when finite.
    pub fn mean(&self, tag: Option<&str>) -> Option<f64> {
        self.aggregate(tag)
            .map(Aggregate::mean)
            .filter(|m| m.is_finite())
    }

    /// A gauge pressure tag as an absolute pressure.
    pub fn pressure(&self, tag: Option<&str>) -> Option<Pressure> {
        self.mean(tag).map(Pressure::from_barg)
    }

    /// A °C tag as a temperature.
    pub fn temperature(&self, tag: Option<&str>) -> Option<Temperature> {
        self.mean(tag).map(Temperature::from_celsius)
    }

    /// The summary of a °C tag.
    pub fn temperature_stats(&self, tag: Option<&str>) -> Option<SignalStats<Temperature>> {
        self.aggregate(tag)
            .map(|a| signal_stats(a, Temperature::from_celsius))
    }

    /// The summary of a dB tag.
    pub fn level_stats(&self, tag: Option<&str>) -> Option<SignalStats<f64>> {
        self.aggregate(tag).map(|a| signal_stats(a, |v| v))
    }

    /// The window as the plant balance reads it.
    pub fn plant_window(&self) -> PlantWindow {
        PlantWindow::from_lookup(&self.plant.plant, |tag| self.mean(Some(tag)))
    }

    /// A header's pressure: measured, else its operating pressure.
    pub fn header_pressure(&self, header: usize) -> Option<Pressure> {
        let h = self.plant.plant.headers.get(header)?;
        Some(
            self.pressure(h.pressure_tag.as_deref())
                .unwrap_or(h.operating_pressure()),
        )
    }

    /// Pressure at a segment's inlet: measured, else where it starts (its
    /// header, or the outlet of the segment it continues).
    pub fn segment_inlet_pressure(&self, segment: usize) -> Option<Pressure> {
        self.segment_pressure(segment, false, self.plant.plant.segments.len() + 1)
    }

    /// Pressure at a segment's outlet: measured, else its inlet's (the
    /// drop along it is not modelled here).
    pub fn segment_outlet_pressure(&self, segment: usize) -> Option<Pressure> {
        self.segment_pressure(segment, true, self.plant.plant.segments.len() + 1)
    }

    /// `depth` bounds the walk up the network (a checked network is a tree).
    fn segment_pressure(&self, segment: usize, outlet: bool, depth: usize) -> Option<Pressure> {
        let s = self.plant.plant.segments.get(segment)?;
        if outlet && let Some(p) = self.pressure(s.outlet_pressure_tag.as_deref()) {
            return Some(p);
        }
        if let Some(p) = self.pressure(s.inlet_pressure_tag.as_deref()) {
            return Some(p);
        }
        match self.plant.network.segment_start.get(segment)? {
            SegmentStart::Header(h) => self.header_pressure(*h),
            SegmentStart::Segment(up) if depth > 0 => self.segment_pressure(*up, true, depth - 1),
            SegmentStart::Segment(_) => None,
        }
    }

    /// A consumer's pressure: measured, else its feed's.
    pub fn consumer_pressure(&self, consumer: usize) -> Option<Pressure> {
        let c = self.plant.plant.consumers.get(consumer)?;
        if let Some(p) = self.pressure(c.pressure_tag.as_deref()) {
            return Some(p);
        }
        match self.plant.network.consumer_feed.get(consumer)? {
            Feed::Header(h) => self.header_pressure(*h),
            Feed::Segment(s) => self.segment_outlet_pressure(*s),
        }
    }

    /// The pressure of the main header (the first boiler's), the reference
    /// of a leak that is not located.
    pub fn reference_pressure(&self) -> Option<Pressure> {
        let header = self.plant.network.boiler_header.first()?;
        self.header_pressure(*header)
    }

    /// Absolute pressure a trap discharges to: its receiver's, or its flash
    /// vessel's (measured, else design); `None` (atmosphere) to drain.
    pub fn discharge_pressure(&self, trap: usize) -> Option<Pressure> {
        let plant = &self.plant.plant;
        match self.plant.network.trap_discharge.get(trap)? {
            Discharge::Drain => None,
            Discharge::Return(r) => plant
                .condensate_returns
                .get(*r)
                .map(|c| c.receiver_pressure()),
            Discharge::FlashVessel(v) => plant.flash_vessels.get(*v).map(|vessel| {
                self.pressure(vessel.pressure_tag.as_deref())
                    .unwrap_or(vessel.pressure())
            }),
        }
    }

    /// What trap `trap` showed in the window: its tags' summaries, the
    /// pressure of what it drains (a segment's outlet, a consumer's inlet)
    /// and what it discharges to.
    pub fn trap_observation(&self, trap: usize) -> Option<TrapObservation> {
        let t = self.plant.plant.traps.get(trap)?;
        let inlet_pressure = match self.plant.network.trap_site.get(trap)? {
            TrapSite::Segment(s) => self.segment_outlet_pressure(*s),
            TrapSite::Consumer(c) => self.consumer_pressure(*c),
        };
        Some(TrapObservation {
            inlet_pressure,
            discharge_pressure: self.discharge_pressure(trap),
            inlet_temperature: self.temperature_stats(t.inlet_temperature_tag.as_deref()),
            outlet_temperature: self.temperature_stats(t.outlet_temperature_tag.as_deref()),
            acoustic_db: self.level_stats(t.acoustic_tag.as_deref()),
            acoustic_baseline_db: self.plant.trap_baselines.get(trap).copied().flatten(),
            ..TrapObservation::new(t.trap_type, t.orifice())
        })
    }
}
