//! `alerts`: notifications from the config's alert rules — firing,
//! repeated, resolved — with severity and a de-duplication key
//! (`rule/plant/asset`, one state machine and at most one open alert each).
//!
//! # Window-level rules
//!
//! `trap_failure`, `leak`, `loss`, `balance_closure`, `pressure_anomaly`
//! and `recovery_rate` observe each plant's window results
//! (`AlertState::step`) through `steamflow_operators::alerting::conditions`, at the
//! window's end time, and feed one [`AlertTracker`] per key, which applies
//! `for_secs`, `clear_for_secs` and `repeat_secs`. A trap or leak location
//! that a window no longer reports gets a clear observation, so its alert
//! resolves. `hysteresis` (in the condition's unit: confidence for trap
//! failure, kg/h for leak and loss, % for pressure anomaly and recovery,
//! percentage points of closure) keeps an open alert holding until its
//! value is that far back inside the limit.
//!
//! The trackers run inside the plant's window sequence
//! ([`super::Sequence::sequence`]): a late reading that changes a window
//! replays them from there, so the `alerts` stream always holds the events
//! the final windows imply. **An alert that no longer holds after a late
//! update has its Firing event retracted** (diff −1), together with any
//! Repeat and Resolved events of that episode; an episode that a late
//! update starts is asserted (+1). A channel that already paged reads a
//! retracted Firing as "withdrawn".
//!
//! # Per-reading rules
//!
//! `threshold` rules watch readings as they arrive ([`ThresholdAlerts`]),
//! one [`ThresholdAlert`] per rule and tag, with the upper/lower limits and
//! their hysteresis. They notify at once, without waiting for a window to
//! close: the events are insertions at the time of the reading's batch.
//! They follow arrival order — a reading older than the alert's last
//! observation is not replayed (what was paged stays paged) — so unlike the
//! window-level events they are append-only.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use differential_dataflow::AsCollection;
use differential_dataflow::collection::vec::Collection as VecCollection;
use serde::{Deserialize, Serialize};
use steamflow_operators::alerting::{
    AlertEvent, AlertKey, AlertTracker, EventKind, Observation, Severity, Threshold,
    ThresholdAlert, conditions,
};
use steamflow_operators::analysis::leak_detection::{LeakDetection, LeakLocation};
use steamflow_operators::analysis::plant_balance::{self, PlantBalance};
use steamflow_operators::analysis::trap_status::{TrapAssessment, TrapState};
use steamflow_operators::units::MassFlow;
use timely::dataflow::StreamVec;
use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::generic::Operator;

use super::fields::{F64, Fields};
use super::model::{AnalysisModel, WindowRule, WindowView};
use crate::config::alerts::{AlertCondition, LossCategory, TrapMode};
use crate::dataflow::key::{KeyMap, KeyRegistry, TagKey};
use crate::dataflow::record::KeyedReading;
use crate::dataflow::render::OutputRecord;
use crate::dataflow::time::Time;

/// What an alert event was raised from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertScope {
    /// A plant's window results.
    Window,
    /// A single reading.
    Reading,
}

impl AlertScope {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertScope::Window => "window",
            AlertScope::Reading => "reading",
        }
    }
}

/// One notification (the `alerts` stream).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AlertRecord {
    /// The plant.
    pub plant: String,
    /// Event time of the observation that caused it \[ms\].
    pub event_time_ms: i64,
    /// The rule's id (`[alerts.<id>]`).
    pub rule: String,
    /// The asset: a trap, segment, header, tag or loss category; empty for
    /// the plant itself.
    pub asset: String,
    /// Fired, repeated or resolved.
    pub kind: EventKind,
    /// How urgent.
    pub severity: Severity,
    /// The value observed then (its unit is in the message).
    pub value: F64,
    /// When the alert fired \[ms\].
    pub fired_at_ms: i64,
    /// One line for the people paged.
    pub message: String,
    /// Raised from a window or from a reading.
    pub scope: AlertScope,
    /// The window it was raised in (window-level rules).
    pub window_start_ms: Option<u64>,
}

impl AlertRecord {
    /// The record of a tracker's event.
    pub fn new(event: &AlertEvent, scope: AlertScope, window_start_ms: Option<u64>) -> Self {
        AlertRecord {
            plant: event.key.plant.clone(),
            event_time_ms: event.time_ms,
            rule: event.key.rule.clone(),
            asset: event.key.asset.clone(),
            kind: event.kind,
            severity: event.severity,
            value: F64(event.value),
            fired_at_ms: event.fired_at_ms,
            message: event.message.clone(),
            scope,
            window_start_ms,
        }
    }

    /// The de-duplication key, `rule/plant/asset` (`rule/plant` for the plant).
    pub fn dedup_key(&self) -> String {
        AlertKey::new(self.rule.as_str(), self.plant.as_str(), self.asset.as_str()).to_string()
    }
}

impl OutputRecord for AlertRecord {
    fn write_fields(&self, _names: &KeyRegistry, out: &mut String) {
        let mut fields = Fields::new(out);
        fields
            .str("plant", &self.plant)
            .str("rule", &self.rule)
            .str("asset", &self.asset)
            .str("dedup_key", &self.dedup_key())
            .str("kind", self.kind.as_str())
            .str("severity", self.severity.as_str())
            .str("scope", self.scope.as_str())
            .time(
                "event_time",
                u64::try_from(self.event_time_ms).unwrap_or_default(),
            )
            .time(
                "fired_at",
                u64::try_from(self.fired_at_ms).unwrap_or_default(),
            )
            .num("value", self.value);
        match self.window_start_ms {
            Some(start) => fields.time("window_start", start),
            None => fields.null("window_start").null("window_start_utc"),
        };
        fields.str("message", &self.message);
    }
}

/// A plant's results in one window, as the window-level rules read them.
pub struct WindowResults<'a> {
    /// The window's data.
    pub view: &'a WindowView<'a>,
    /// Window start \[ms\].
    pub window_start_ms: u64,
    /// Window end \[ms\]: the time of the observations.
    pub window_end_ms: u64,
    /// Each trap's assessment, in the plant's order.
    pub traps: &'a [TrapAssessment],
    /// The balance with leaks, if it could be formed.
    pub balance: Option<&'a PlantBalance>,
    /// The window's leaks.
    pub leaks: &'a [LeakDetection],
}

/// The alert state machines of one plant's window-level rules.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AlertState {
    trackers: BTreeMap<AlertKey, AlertTracker>,
}

/// One observation for one key of a rule, and whether it still holds with
/// the rule's hysteresis once the alert is open.
struct Observed {
    asset: String,
    observation: Observation,
    sticky: bool,
}

impl AlertState {
    /// Feeds one window's results to every rule of the plant; returns the
    /// notifications, in rule order.
    pub(crate) fn step(&mut self, rules: &[WindowRule], r: &WindowResults<'_>) -> Vec<AlertRecord> {
        let plant = r.view.plant();
        let time = i64::try_from(r.window_end_ms).unwrap_or(i64::MAX);
        let mut out = Vec::new();
        for rule in rules {
            let mut observed = observe(rule, r);
            // An asset reported before but not now is clear.
            let seen: BTreeSet<String> = observed.iter().map(|o| o.asset.clone()).collect();
            if clears_when_gone(&rule.condition) {
                for key in self.trackers.keys() {
                    if key.rule == rule.id && !seen.contains(&key.asset) {
                        observed.push(Observed {
                            asset: key.asset.clone(),
                            observation: Observation::clear(format!(
                                "{} no longer reported",
                                describe_asset(&rule.condition, &key.asset)
                            )),
                            sticky: false,
                        });
                    }
                }
            }
            for o in observed {
                let key = AlertKey::new(rule.id.as_str(), plant.id.as_str(), o.asset.as_str());
                let tracker = match self.trackers.get_mut(&key) {
                    Some(tracker) => tracker,
                    // A key that never held stays idle: no machine needed yet.
                    None if !o.observation.holds => continue,
                    None => self
                        .trackers
                        .entry(key.clone())
                        .or_insert_with(|| AlertTracker::new(key, rule.policy)),
                };
                let holds = o.observation.holds || (tracker.is_open() && o.sticky);
                if let Ok(Some(event)) =
                    tracker.observe(time, holds, o.observation.value, &o.observation.detail)
                {
                    out.push(AlertRecord::new(
                        &event,
                        AlertScope::Window,
                        Some(r.window_start_ms),
                    ));
                }
            }
        }
        // Idle machines carry nothing the next window needs.
        self.trackers.retain(|_, tracker| {
            tracker.phase() != steamflow_operators::alerting::AlertPhase::Idle
        });
        out
    }
}

/// A leak location no longer reported is gone. (Every trap is observed
/// every window; a header whose transmitter is silent says nothing, so its
/// pressure alert keeps its state rather than resolving for lack of data.)
fn clears_when_gone(condition: &AlertCondition) -> bool {
    matches!(condition, AlertCondition::Leak { .. })
}

fn describe_asset(condition: &AlertCondition, asset: &str) -> String {
    match condition {
        AlertCondition::Leak { .. } if asset == "unlocated" => "the unlocated leak".to_owned(),
        AlertCondition::Leak { .. } => format!("the leak on segment {asset}"),
        _ => asset.to_owned(),
    }
}

fn trap_state(mode: TrapMode) -> TrapState {
    match mode {
        TrapMode::BlownOpen => TrapState::BlownOpen,
        TrapMode::Leaking => TrapState::Leaking,
        TrapMode::Blocked => TrapState::Blocked,
        TrapMode::Degraded => TrapState::Degraded,
    }
}

fn loss_category(category: LossCategory) -> Option<plant_balance::LossCategory> {
    use plant_balance::LossCategory as C;
    Some(match category {
        LossCategory::Total => return None,
        LossCategory::Pipe => C::Pipe,
        LossCategory::Trap => C::Trap,
        LossCategory::Leak => C::Leak,
        LossCategory::Flash => C::Flash,
        LossCategory::Condensate => C::Condensate,
        LossCategory::Unaccounted => C::Unaccounted,
    })
}

/// The observations of one rule in one window.
fn observe(rule: &WindowRule, r: &WindowResults<'_>) -> Vec<Observed> {
    let plant = r.view.plant();
    let h = rule.hysteresis;
    let one = |asset: &str, observation: Observation, sticky: bool| {
        vec![Observed {
            asset: asset.to_owned(),
            observation,
            sticky,
        }]
    };
    match &rule.condition {
        AlertCondition::Threshold { .. } => Vec::new(),
        AlertCondition::TrapFailure {
            modes,
            min_confidence,
        } => {
            let states: Vec<TrapState> = modes.iter().map(|m| trap_state(*m)).collect();
            plant
                .plant
                .traps
                .iter()
                .zip(r.traps)
                .map(|(trap, assessment)| Observed {
                    asset: trap.id.clone(),
                    observation: conditions::trap_failure(
                        &trap.id,
                        assessment,
                        &states,
                        *min_confidence,
                    ),
                    sticky: states.contains(&assessment.state)
                        && assessment.confidence >= min_confidence - h,
                })
                .collect()
        }
        AlertCondition::Leak { min_loss_kg_h } => r
            .leaks
            .iter()
            .map(|leak| {
                let observation =
                    conditions::leak(Some(leak), MassFlow::from_kg_per_h(*min_loss_kg_h));
                Observed {
                    asset: match &leak.location {
                        LeakLocation::Segment(id) => id.clone(),
                        LeakLocation::Unlocated => "unlocated".to_owned(),
                    },
                    sticky: observation.value > min_loss_kg_h - h,
                    observation,
                }
            })
            .collect(),
        AlertCondition::Loss {
            category,
            above_kg_h,
            above_cost_per_day,
        } => {
            let Some(b) = r.balance else {
                return Vec::new();
            };
            let asset = loss_name(*category);
            let observation = match loss_category(*category) {
                Some(c) => conditions::loss(b, c, *above_kg_h, *above_cost_per_day),
                None => total_loss(b, *above_kg_h, *above_cost_per_day),
            };
            let sticky = above_kg_h.is_some_and(|limit| observation.value > limit - h);
            one(asset, observation, sticky)
        }
        AlertCondition::BalanceClosure {
            mass_tolerance_pct,
            energy_tolerance_pct,
        } => {
            let Some(b) = r.balance else {
                return Vec::new();
            };
            let observation =
                conditions::balance_closure(b, *mass_tolerance_pct, *energy_tolerance_pct);
            let sticky = (b.mass.closure_percent - 100.0).abs() > mass_tolerance_pct - h
                || (b.energy_closure_percent - 100.0).abs() > energy_tolerance_pct - h;
            one("", observation, sticky)
        }
        AlertCondition::PressureAnomaly {
            headers,
            deviation_pct,
        } => plant
            .plant
            .headers
            .iter()
            .filter(|header| headers.is_empty() || headers.contains(&header.id))
            .filter_map(|header| {
                let measured = r.view.pressure(header.pressure_tag.as_deref())?;
                let observation = conditions::pressure_anomaly(
                    &header.id,
                    measured,
                    header.operating_pressure(),
                    *deviation_pct,
                );
                Some(Observed {
                    asset: header.id.clone(),
                    sticky: observation.value.abs() > deviation_pct - h,
                    observation,
                })
            })
            .collect(),
        AlertCondition::RecoveryRate { below_pct } => {
            let Some(b) = r.balance else {
                return Vec::new();
            };
            let observation = conditions::recovery_rate(b, *below_pct);
            let sticky = observation.value < below_pct + h;
            one("", observation, sticky)
        }
    }
}

fn loss_name(category: LossCategory) -> &'static str {
    match category {
        LossCategory::Total => "total",
        LossCategory::Pipe => "pipe",
        LossCategory::Trap => "trap",
        LossCategory::Leak => "leak",
        LossCategory::Flash => "flash",
        LossCategory::Condensate => "condensate",
        LossCategory::Unaccounted => "unaccounted",
    }
}

/// All categories together above `above_kg_h` or costing more than
/// `above_cost_per_day`; the value is the total in kg/h.
fn total_loss(
    b: &PlantBalance,
    above_kg_h: Option<f64>,
    above_cost_per_day: Option<f64>,
) -> Observation {
    let categories = plant_balance::LossCategory::ALL;
    let kg_h: f64 = categories
        .iter()
        .map(|c| b.losses.get(*c).mass.kg_per_h())
        .sum();
    let kw: f64 = categories
        .iter()
        .map(|c| b.losses.get(*c).energy.kw())
        .sum();
    let per_day: f64 = categories.iter().map(|c| b.cost_per_day(*c)).sum();
    Observation {
        holds: above_kg_h.is_some_and(|limit| kg_h > limit)
            || above_cost_per_day.is_some_and(|limit| per_day > limit),
        value: kg_h,
        detail: format!("total loss {kg_h:.0} kg/h, {kw:.0} kW, {per_day:.0} a day"),
    }
}

/// Per-reading threshold alerts (see the [module docs](self)).
pub trait ThresholdAlerts<'scope> {
    /// The events of the model's `threshold` rules on these readings. The
    /// input must be exchanged by route (each tag's readings on one worker),
    /// as the graph's accepted readings are.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use steamflow::config::{Config, DEMO_CONFIG};
    /// use steamflow::dataflow::analysis::{AnalysisModel, ThresholdAlerts};
    /// use steamflow::dataflow::{KeyedReading, TagKey};
    /// use steamflow_operators::reading::Quality;
    /// use timely::dataflow::operators::{Capture, ToStream};
    /// use timely::dataflow::operators::capture::Extract;
    ///
    /// let config = Config::from_toml(DEMO_CONFIG, "demo.toml", &|_: &str| None).unwrap();
    /// let model = Arc::new(AnalysisModel::from_config(&config).unwrap());
    /// let key = TagKey::of("north", "north.hp.pressure");
    /// // The demo pages when the HP header stays below 8 barg for 30 s.
    /// let readings: Vec<KeyedReading> = [(0, 7.5), (20_000, 7.4), (40_000, 7.6)]
    ///     .iter()
    ///     .map(|(t, v)| KeyedReading::new(key, key, 1_735_689_600_000 + t, *v, Quality::Good))
    ///     .collect();
    /// let captured = timely::example(move |scope| {
    ///     readings.to_stream(scope).threshold_alerts(model).inner.capture()
    /// });
    /// let events: Vec<_> = captured.extract().into_iter().flat_map(|(_, d)| d).collect();
    /// assert_eq!(events.len(), 1);
    /// assert_eq!(events[0].0.kind.as_str(), "firing");
    /// assert_eq!(events[0].0.dedup_key(), "hp_pressure_low/north/north.hp.pressure");
    /// ```
    fn threshold_alerts(
        self,
        model: Arc<AnalysisModel>,
    ) -> VecCollection<'scope, Time, AlertRecord, isize>;
}

impl<'scope> ThresholdAlerts<'scope> for StreamVec<'scope, Time, KeyedReading> {
    fn threshold_alerts(
        self,
        model: Arc<AnalysisModel>,
    ) -> VecCollection<'scope, Time, AlertRecord, isize> {
        let mut rules_of: KeyMap<TagKey, Vec<usize>> = KeyMap::default();
        for (index, rule) in model.thresholds.iter().enumerate() {
            rules_of
                .entry(TagKey::of(&rule.plant, &rule.tag))
                .or_default()
                .push(index);
        }
        self.unary(Pipeline, "ThresholdAlerts", move |_capability, _info| {
            let mut alerts: BTreeMap<(usize, TagKey), ThresholdAlert> = BTreeMap::new();
            let mut batch_readings: Vec<(u64, TagKey, f64)> = Vec::new();
            move |input, output| {
                if rules_of.is_empty() {
                    // No threshold rule: drain without looking at readings.
                    input.for_each_stamp(|_, _| {});
                    return;
                }
                input.for_each_stamp(|capability, data| {
                    batch_readings.clear();
                    for batch in data {
                        batch_readings.extend(
                            batch
                                .iter()
                                .filter(|r| r.is_accepted() && rules_of.contains_key(&r.key))
                                .map(|r| (r.time_ms, r.key, r.value)),
                        );
                    }
                    let Some(time) = capability.least().copied() else {
                        return;
                    };
                    if batch_readings.is_empty() {
                        return;
                    }
                    // Within a batch, event-time order: out-of-order delivery
                    // inside one batch is not refused.
                    batch_readings.sort_by_key(|r| (r.0, r.1));
                    let mut session = output.session(&capability);
                    for (time_ms, key, value) in &batch_readings {
                        for index in rules_of.get(key).into_iter().flatten() {
                            let Some(rule) = model.thresholds.get(*index) else {
                                continue;
                            };
                            let alert = alerts.entry((*index, *key)).or_insert_with(|| {
                                ThresholdAlert::new(
                                    AlertKey::new(
                                        rule.id.as_str(),
                                        rule.plant.as_str(),
                                        rule.tag.as_str(),
                                    ),
                                    rule.policy,
                                    Threshold {
                                        above: rule.above,
                                        below: rule.below,
                                        hysteresis: rule.hysteresis,
                                    },
                                )
                            });
                            let t = i64::try_from(*time_ms).unwrap_or(i64::MAX);
                            if let Ok(Some(event)) = alert.observe(t, *value, &rule.tag) {
                                session.give((
                                    AlertRecord::new(&event, AlertScope::Reading, None),
                                    time,
                                    1_isize,
                                ));
                            }
                        }
                    }
                });
            }
        })
        .as_collection()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, DEMO_CONFIG};
    use steamflow_operators::alerting::AlertPolicy;
    use steamflow_operators::analysis::leak_detection::{DetectionMethod, SizeBasis};

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn leak(kg_h: f64) -> LeakDetection {
        LeakDetection {
            location: LeakLocation::Segment("s_hp_2".into()),
            size: MassFlow::from_kg_per_h(kg_h),
            size_basis: SizeBasis::MassBalance,
            energy: None,
            cost_per_year: None,
            confidence: 0.9,
            priority: 50.0,
            methods: vec![DetectionMethod::MassBalance],
            since_ms: None,
            evidence: Vec::new(),
        }
    }

    #[test]
    fn leak_alerts_hold_within_the_hysteresis_and_resolve_when_gone() {
        let config =
            Config::from_toml(DEMO_CONFIG, "demo.toml", &no_env).unwrap_or_else(|e| panic!("{e}"));
        let model = AnalysisModel::from_config(&config).unwrap_or_else(|e| panic!("{e}"));
        let plant = model.plant(0).unwrap_or_else(|| panic!("no plant"));
        let rules = vec![WindowRule {
            id: "leak".into(),
            condition: AlertCondition::Leak {
                min_loss_kg_h: 20.0,
            },
            policy: AlertPolicy::immediate(Severity::High),
            hysteresis: 5.0,
        }];
        let view = WindowView::new(plant, &[]);
        let mut state = AlertState::default();
        let mut kinds = Vec::new();
        for (minute, sizes) in [
            (0, vec![30.0]),
            (1, vec![17.0]),
            (2, vec![14.0]),
            (3, vec![30.0]),
            (4, vec![]),
        ] {
            let leaks: Vec<LeakDetection> = sizes.iter().map(|s| leak(*s)).collect();
            let events = state.step(
                &rules,
                &WindowResults {
                    view: &view,
                    window_start_ms: minute * 60_000,
                    window_end_ms: (minute + 1) * 60_000,
                    traps: &[],
                    balance: None,
                    leaks: &leaks,
                },
            );
            kinds.extend(events.iter().map(|e| (minute, e.kind, e.asset.clone())));
        }
        let s = || "s_hp_2".to_owned();
        assert_eq!(
            kinds,
            vec![
                (0, EventKind::Firing, s()),
                // 17 kg/h is under 20 but within the 5 kg/h dead band: holds.
                (2, EventKind::Resolved, s()),
                (3, EventKind::Firing, s()),
                // Not reported any more: resolved.
                (4, EventKind::Resolved, s()),
            ]
        );
        // Resolved machines are dropped: nothing is carried.
        assert_eq!(state, AlertState::default());
    }
}
