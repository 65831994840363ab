//! Per-reading validation: cheap checks that flag or reject one reading at
//! a time, with a reason code on each.
//!
//! | check | reason | default action |
//! |---|---|---|
//! | source quality bad / uncertain | [`Reason::Quality`] | reject bad, flag uncertain |
//! | outside the design limits | [`Reason::OutOfRange`] | reject |
//! | faster than the rate limit | [`Reason::RateOfChange`] | flag |
//! | steam temperature below saturation at the paired pressure, or above it by more than a band | [`Reason::Saturation`] | flag |
//! | robust outlier: `0.6745·|x − median| / MAD` over a rolling window above a threshold (Iglewicz & Hoaglin's modified z-score, 3.5) | [`Reason::Outlier`] | flag |
//! | the value stayed within a tolerance for too long | [`Reason::Flatline`] | flag |
//! | first reading after a silence longer than the gap limit | [`Reason::Stale`] | flag |
//!
//! Which reasons reject is configurable ([`ValidationConfig::reject`]); the
//! others flag (the reading is kept and carries the reason in its
//! [`Flags`](super::Flags)). Rejected readings are not windowed and go to
//! the dead letters. NaN and infinite values never get here: ingest
//! dead-letters them.
//!
//! The checks that look back (rate, flatline, stale, outlier) follow each
//! tag in event-time order as it arrives: a reading older than the newest
//! one of its tag is checked for range, quality, saturation and outliers,
//! but not compared as "the next" value. The saturation check uses the
//! newest reading of the paired pressure tag; the registry routes the pair
//! to one worker ([`KeyRegistry::route_with`](super::KeyRegistry::route_with)).
//! Robust statistics are refreshed every few readings rather than on every
//! one (median and MAD cost a selection over the window).

use std::sync::Arc;

use steamflow_operators::if97;
use steamflow_operators::reading::Quality;
use steamflow_operators::units::Pressure;
use timely::dataflow::StreamVec;
use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::generic::Operator;

use super::key::{KeyMap, TagKey};
use super::record::{Flags, KeyedReading, Reason};
use super::time::Time;

/// The saturation temperature at a pressure, each in its tag's unit; `None`
/// outside the curve.
pub trait SaturationCurve: Send + Sync {
    /// The saturation temperature at `pressure`.
    fn saturation_temperature(&self, pressure: f64) -> Option<f64>;
}

impl<F: Fn(f64) -> Option<f64> + Send + Sync> SaturationCurve for F {
    fn saturation_temperature(&self, pressure: f64) -> Option<f64> {
        self(pressure)
    }
}

/// IAPWS-IF97's saturation line for gauge pressure in bar and temperature
/// in °C (the plant model's units), at a standard atmosphere of 1.01325 bar.
#[derive(Clone, Copy, Debug, Default)]
pub struct If97SaturationBargCelsius;

impl SaturationCurve for If97SaturationBargCelsius {
    fn saturation_temperature(&self, pressure_barg: f64) -> Option<f64> {
        let absolute_mpa = (pressure_barg + 1.013_25) / 10.0;
        if97::saturation_temperature(Pressure::from_mpa(absolute_mpa))
            .ok()
            .map(|t| t.kelvin() - 273.15)
    }
}

/// The saturation check of a steam-temperature tag.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SaturationRule {
    /// The pressure tag at the same point.
    pub pressure: TagKey,
    /// How far below saturation the temperature may read (sensor error) [K].
    pub below_k: f64,
    /// How far above saturation it may read, for saturated-steam lines [K];
    /// `None` for superheated steam.
    pub above_k: Option<f64>,
    /// The pressure reading may be at most this much older or newer [ms].
    pub max_pair_age_ms: u64,
}

/// The robust outlier check.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OutlierRule {
    /// Values in the rolling window.
    pub window: usize,
    /// Modified z-score above which a value is an outlier (3.5).
    pub threshold: f64,
    /// The smallest MAD used, so that a flat signal does not make every
    /// small step an outlier [tag unit].
    pub min_mad: f64,
    /// Readings between refreshes of median and MAD.
    pub refresh: u32,
}

impl Default for OutlierRule {
    fn default() -> Self {
        OutlierRule {
            window: 31,
            threshold: 3.5,
            min_mad: 1e-9,
            refresh: 8,
        }
    }
}

/// The flatline check.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FlatlineRule {
    /// A value within this of the run's first value continues the run [tag unit].
    pub tolerance: f64,
    /// A run at least this long is flagged [ms].
    pub min_duration_ms: u64,
}

/// The checks of one tag. `None` turns a check off.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TagRules {
    /// Design limits `(min, max)`.
    pub limits: Option<(f64, f64)>,
    /// Largest plausible |rate of change| [tag unit / s].
    pub max_rate_per_s: Option<f64>,
    /// Check against saturation at a paired pressure tag.
    pub saturation: Option<SaturationRule>,
    /// Robust outliers.
    pub outlier: Option<OutlierRule>,
    /// Frozen values.
    pub flatline: Option<FlatlineRule>,
    /// Longest silence between two readings [ms].
    pub max_gap_ms: Option<u64>,
}

/// Validation for every tag.
#[derive(Clone)]
pub struct ValidationConfig {
    /// Rules of tags not listed in `tags`.
    pub default_rules: TagRules,
    /// Rules per tag.
    pub tags: KeyMap<TagKey, TagRules>,
    /// Reasons that reject; the others flag.
    pub reject: Flags,
    /// The saturation line the saturation check uses.
    pub saturation_curve: Arc<dyn SaturationCurve>,
}

impl std::fmt::Debug for ValidationConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ValidationConfig")
            .field("default_rules", &self.default_rules)
            .field("tags", &self.tags.len())
            .field("reject", &self.reject)
            .finish_non_exhaustive()
    }
}

impl Default for ValidationConfig {
    /// No per-tag rules; bad quality and out-of-range reject; IF97 in barg/°C.
    fn default() -> Self {
        let mut reject = Flags::NONE;
        reject.insert(Reason::Quality);
        reject.insert(Reason::OutOfRange);
        ValidationConfig {
            default_rules: TagRules::default(),
            tags: KeyMap::default(),
            reject,
            saturation_curve: Arc::new(If97SaturationBargCelsius),
        }
    }
}

impl ValidationConfig {
    /// Sets the rules of one tag.
    pub fn with_tag(mut self, key: TagKey, rules: TagRules) -> Self {
        self.tags.insert(key, rules);
        self
    }

    fn rules(&self, key: TagKey) -> TagRules {
        self.tags.get(&key).copied().unwrap_or(self.default_rules)
    }
}

/// What one tag's checks remember.
#[derive(Clone, Debug)]
struct TagState {
    rules: TagRules,
    /// The newest reading so far (event time, value).
    last: Option<(u64, f64)>,
    /// Start (event time) and first value of the current flat run.
    flat_run: Option<(u64, f64)>,
    robust: Robust,
}

impl TagState {
    fn new(rules: TagRules) -> Self {
        TagState {
            rules,
            last: None,
            flat_run: None,
            robust: Robust::default(),
        }
    }
}

/// A rolling window with a cached median and MAD.
#[derive(Clone, Debug, Default)]
struct Robust {
    ring: Vec<f64>,
    next: usize,
    median: f64,
    mad: f64,
    stale_for: u32,
    scratch: Vec<f64>,
}

impl Robust {
    fn push(&mut self, rule: &OutlierRule, value: f64) {
        if self.ring.len() < rule.window {
            self.ring.push(value);
        } else if let Some(slot) = self.ring.get_mut(self.next) {
            *slot = value;
        }
        self.next = (self.next + 1) % rule.window.max(1);
        self.stale_for = self.stale_for.saturating_add(1);
        if self.stale_for >= rule.refresh {
            self.refresh();
        }
    }

    fn refresh(&mut self) {
        self.stale_for = 0;
        self.scratch.clear();
        self.scratch.extend_from_slice(&self.ring);
        let Some(median) = median_of(&mut self.scratch) else {
            return;
        };
        for value in &mut self.scratch {
            *value = (*value - median).abs();
        }
        self.median = median;
        self.mad = median_of(&mut self.scratch).unwrap_or(0.0);
    }

    /// The modified z-score of `value`, once the window is at least half full.
    fn z_score(&self, rule: &OutlierRule, value: f64) -> Option<f64> {
        let warm = self.ring.len() * 2 >= rule.window && self.ring.len() >= 3;
        warm.then(|| 0.6745 * (value - self.median).abs() / self.mad.max(rule.min_mad))
    }
}

/// The median (upper median for even counts) by selection; reorders `values`.
fn median_of(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let middle = values.len() / 2;
    let (_, median, _) = values.select_nth_unstable_by(middle, f64::total_cmp);
    Some(*median)
}

/// Validates readings (see the [module docs](self)).
pub trait Validate<'scope> {
    /// Checks each accepted reading against `config`, flagging or rejecting
    /// it with a reason. The input must be exchanged by route already.
    ///
    /// ```
    /// use steamflow::dataflow::{KeyedReading, Reason, TagKey, TagRules, Validate, ValidationConfig};
    /// use steamflow_operators::reading::Quality;
    /// use timely::dataflow::operators::{ToStream, Capture};
    /// use timely::dataflow::operators::capture::Extract;
    ///
    /// let key = TagKey::of("north", "header.pressure_barg");
    /// let rules = TagRules { limits: Some((0.0, 12.0)), ..TagRules::default() };
    /// let config = ValidationConfig::default().with_tag(key, rules);
    /// let readings = vec![
    ///     KeyedReading::new(key, key, 1_000, 10.0, Quality::Good),
    ///     KeyedReading::new(key, key, 2_000, 99.0, Quality::Good),
    /// ];
    /// let out = timely::example(move |scope| readings.to_stream(scope).validate(config).capture());
    /// let out: Vec<KeyedReading> = out.extract().into_iter().flat_map(|(_, d)| d).collect();
    /// assert!(out[0].is_accepted());
    /// assert_eq!((out[1].rejected, out[1].detail), (Reason::OutOfRange, 12.0));
    /// ```
    fn validate(self, config: ValidationConfig) -> StreamVec<'scope, Time, KeyedReading>;
}

impl<'scope> Validate<'scope> for StreamVec<'scope, Time, KeyedReading> {
    fn validate(self, config: ValidationConfig) -> StreamVec<'scope, Time, KeyedReading> {
        self.unary(Pipeline, "Validate", move |_capability, _info| {
            let mut validator = Validator::new(config);
            move |input, output| {
                input.for_each_stamp(|capability, data| {
                    let mut session = output.session(&capability);
                    for batch in data {
                        for reading in batch.iter_mut() {
                            validator.check(reading);
                        }
                        session.give_container(batch);
                    }
                });
            }
        })
    }
}

struct Validator {
    config: ValidationConfig,
    states: KeyMap<TagKey, TagState>,
    /// The newest (event time, value) of every pressure tag a saturation
    /// rule names; other tags are not tracked here.
    pressures: KeyMap<TagKey, (u64, f64)>,
}

impl Validator {
    fn new(config: ValidationConfig) -> Self {
        let pressures = config
            .tags
            .values()
            .chain(std::iter::once(&config.default_rules))
            .filter_map(|rules| rules.saturation)
            .map(|rule| (rule.pressure, (0, f64::NAN)))
            .collect();
        Validator {
            config,
            states: KeyMap::default(),
            pressures,
        }
    }

    #[inline]
    fn check(&mut self, reading: &mut KeyedReading) {
        if !reading.is_accepted() {
            return;
        }
        let config = &self.config;
        let state = self
            .states
            .entry(reading.key)
            .or_insert_with(|| TagState::new(config.rules(reading.key)));
        let paired_pressure = state
            .rules
            .saturation
            .and_then(|rule| paired_pressure(&self.pressures, &rule, reading.time_ms));
        let mut verdict = Verdict {
            reject: config.reject,
            reading,
        };
        check_quality(&mut verdict);
        let rules = state.rules;
        let (time_ms, value) = (verdict.reading.time_ms, verdict.reading.value);
        if let Some((min, max)) = rules.limits {
            if value < min {
                verdict.raise(Reason::OutOfRange, min);
            } else if value > max {
                verdict.raise(Reason::OutOfRange, max);
            }
        }
        if let (Some(rule), Some(pressure)) = (rules.saturation, paired_pressure)
            && let Some(t_sat) = config.saturation_curve.saturation_temperature(pressure)
        {
            let deviation = value - t_sat;
            if deviation < -rule.below_k || rule.above_k.is_some_and(|above| deviation > above) {
                verdict.raise(Reason::Saturation, deviation);
            }
        }
        if let Some(rule) = rules.outlier
            && let Some(z) = state.robust.z_score(&rule, value)
            && z > rule.threshold
        {
            verdict.raise(Reason::Outlier, z);
        }
        let in_order = state.last.is_none_or(|(last_ms, _)| time_ms > last_ms);
        if in_order {
            check_sequence(state, &mut verdict);
            state.last = Some((time_ms, value));
            if let Some(newest) = self.pressures.get_mut(&verdict.reading.key) {
                *newest = (time_ms, value);
            }
        }
        if verdict.reading.is_accepted()
            && let Some(rule) = rules.outlier
        {
            state.robust.push(&rule, value);
        }
    }
}

/// The newest value of the pressure tag a rule pairs with, when it is close
/// enough in time to `time_ms`.
fn paired_pressure(
    pressures: &KeyMap<TagKey, (u64, f64)>,
    rule: &SaturationRule,
    time_ms: u64,
) -> Option<f64> {
    let (pressure_ms, pressure) = *pressures.get(&rule.pressure)?;
    (pressure.is_finite() && pressure_ms.abs_diff(time_ms) <= rule.max_pair_age_ms)
        .then_some(pressure)
}

/// A reading under check, and which reasons reject it.
struct Verdict<'a> {
    reject: Flags,
    reading: &'a mut KeyedReading,
}

impl Verdict<'_> {
    fn raise(&mut self, reason: Reason, detail: f64) {
        if self.reject.contains(reason) {
            self.reading.reject(reason, detail);
        } else {
            self.reading.flags.insert(reason);
        }
    }
}

fn check_quality(verdict: &mut Verdict<'_>) {
    match verdict.reading.quality {
        Quality::Good => {}
        Quality::Uncertain => verdict.reading.flags.insert(Reason::Quality),
        Quality::Bad => verdict.raise(Reason::Quality, 0.0),
    }
}

/// The checks against the previous reading of the tag: rate, stale, flatline.
fn check_sequence(state: &mut TagState, verdict: &mut Verdict<'_>) {
    let (time_ms, value) = (verdict.reading.time_ms, verdict.reading.value);
    let rules = state.rules;
    if let Some((last_ms, last_value)) = state.last {
        let gap_ms = time_ms - last_ms;
        if let Some(max_rate) = rules.max_rate_per_s {
            let rate = (value - last_value).abs() / (gap_ms as f64 / 1000.0);
            if rate > max_rate {
                verdict.raise(Reason::RateOfChange, rate);
            }
        }
        if rules.max_gap_ms.is_some_and(|max_gap| gap_ms > max_gap) {
            verdict.raise(Reason::Stale, gap_ms as f64);
        }
    }
    if let Some(rule) = rules.flatline {
        let run = match state.flat_run {
            Some((start_ms, first)) if (value - first).abs() <= rule.tolerance => (start_ms, first),
            _ => (time_ms, value),
        };
        state.flat_run = Some(run);
        let run_ms = time_ms - run.0;
        if run_ms >= rule.min_duration_ms {
            verdict.raise(Reason::Flatline, run_ms as f64);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(config: ValidationConfig, readings: &[(TagKey, u64, f64)]) -> Vec<KeyedReading> {
        let mut validator = Validator::new(config);
        readings
            .iter()
            .map(|&(key, time_ms, value)| {
                let mut reading = KeyedReading::new(key, key, time_ms, value, Quality::Good);
                validator.check(&mut reading);
                reading
            })
            .collect()
    }

    const KEY: TagKey = TagKey(7);

    #[test]
    fn range_rejects_with_the_limit() {
        let rules = TagRules {
            limits: Some((0.0, 10.0)),
            ..TagRules::default()
        };
        let out = run(
            ValidationConfig::default().with_tag(KEY, rules),
            &[(KEY, 1, -1.0), (KEY, 2, 5.0), (KEY, 3, 11.0)],
        );
        assert_eq!((out[0].rejected, out[0].detail), (Reason::OutOfRange, 0.0));
        assert!(out[1].is_accepted());
        assert_eq!((out[2].rejected, out[2].detail), (Reason::OutOfRange, 10.0));
    }

    #[test]
    fn rate_and_gap_flag_against_the_newest_reading() {
        let rules = TagRules {
            max_rate_per_s: Some(1.0),
            max_gap_ms: Some(60_000),
            ..TagRules::default()
        };
        let out = run(
            ValidationConfig::default().with_tag(KEY, rules),
            &[
                (KEY, 1_000, 0.0),
                (KEY, 2_000, 0.5),
                (KEY, 3_000, 5.0),  // 4.5 / s
                (KEY, 1_500, 90.0), // out of order: not a step
                (KEY, 100_000, 5.0),
            ],
        );
        assert!(out[1].flags.is_empty());
        assert!(out[2].flags.contains(Reason::RateOfChange));
        assert!(out[3].flags.is_empty());
        assert!(out[4].flags.contains(Reason::Stale));
        assert!(out.iter().all(KeyedReading::is_accepted));
    }

    #[test]
    fn flatline_flags_long_runs() {
        let rules = TagRules {
            flatline: Some(FlatlineRule {
                tolerance: 0.01,
                min_duration_ms: 3_000,
            }),
            ..TagRules::default()
        };
        let readings: Vec<_> = (0..6)
            .map(|i| (KEY, i * 1_000, 4.0 + 0.001 * i as f64))
            .collect();
        let out = run(ValidationConfig::default().with_tag(KEY, rules), &readings);
        let flagged: Vec<bool> = out
            .iter()
            .map(|r| r.flags.contains(Reason::Flatline))
            .collect();
        assert_eq!(flagged, vec![false, false, false, true, true, true]);
    }

    #[test]
    fn outliers_are_flagged_by_modified_z_score() {
        let rules = TagRules {
            outlier: Some(OutlierRule {
                refresh: 1,
                ..OutlierRule::default()
            }),
            ..TagRules::default()
        };
        let mut readings: Vec<_> = (0..40)
            .map(|i| (KEY, i * 1_000, 100.0 + f64::from((i % 5) as u8)))
            .collect();
        readings.push((KEY, 40_000, 160.0));
        let out = run(ValidationConfig::default().with_tag(KEY, rules), &readings);
        assert!(out[..40].iter().all(|r| !r.flags.contains(Reason::Outlier)));
        let last = out.last().unwrap();
        assert!(last.flags.contains(Reason::Outlier));
        assert!(last.is_accepted());
    }

    #[test]
    fn saturation_compares_with_the_paired_pressure() {
        const PRESSURE: TagKey = TagKey(8);
        let rules = TagRules {
            saturation: Some(SaturationRule {
                pressure: PRESSURE,
                below_k: 5.0,
                above_k: Some(5.0),
                max_pair_age_ms: 10_000,
            }),
            ..TagRules::default()
        };
        let config = ValidationConfig::default().with_tag(KEY, rules);
        // 10 barg saturates at about 184.1 °C.
        let out = run(
            config,
            &[
                (KEY, 0, 100.0), // no pressure yet: not checked
                (PRESSURE, 1_000, 10.0),
                (KEY, 2_000, 184.0),
                (KEY, 3_000, 150.0),
                (KEY, 60_000, 150.0), // pressure too old
            ],
        );
        assert!(out[0].flags.is_empty());
        assert!(out[2].flags.is_empty());
        assert!(out[3].flags.contains(Reason::Saturation));
        assert!((out[3].detail).abs() < 1e-12); // flagged, not rejected
        assert!(out[4].flags.is_empty());
    }

    #[test]
    fn quality_rejects_bad_and_flags_uncertain() {
        let mut validator = Validator::new(ValidationConfig::default());
        let mut bad = KeyedReading::new(KEY, KEY, 1, 1.0, Quality::Bad);
        let mut uncertain = KeyedReading::new(KEY, KEY, 2, 1.0, Quality::Uncertain);
        validator.check(&mut bad);
        validator.check(&mut uncertain);
        assert_eq!(bad.rejected, Reason::Quality);
        assert!(uncertain.is_accepted() && uncertain.flags.contains(Reason::Quality));
    }

    #[test]
    fn if97_curve_in_plant_units() {
        let t = If97SaturationBargCelsius
            .saturation_temperature(0.0)
            .unwrap();
        assert!((t - 99.974).abs() < 0.001, "{t}"); // 373.124 K at 1 atm
        assert!(
            If97SaturationBargCelsius
                .saturation_temperature(-5.0)
                .is_none()
        );
    }
}
