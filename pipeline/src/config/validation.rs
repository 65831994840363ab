//! `[validation]`: the rules every reading passes before it is windowed.
//!
//! Each rule has an `action`: `flag` keeps the reading with a reason code,
//! `reject` sends it to the dead-letter stream with its reason. Every rule
//! can be switched off with `enabled = false`, and per-tag overrides adjust
//! limits or switch rules off for some tags.
//!
//! ```toml
//! [validation.range]            # against the plant model's design limits
//! pressure_design_factor = 1.2
//!
//! [validation.outlier]
//! threshold = 3.5               # robust z-score (median and MAD)
//!
//! [[validation.overrides]]
//! tags = ["north.b1.flow"]
//! max = 12000.0
//! ```

use serde::{Deserialize, Serialize};

use super::Checker;
use super::diagnostic::KeyPath;

/// What happens to a reading a rule finds fault with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Keep it, marked with the reason.
    Flag,
    /// Send it to the dead-letter stream with the reason.
    Reject,
}

/// The validation rules.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidationConfig {
    /// Range against design limits.
    #[serde(default)]
    pub range: RangeRule,
    /// Rate of change.
    #[serde(default)]
    pub rate_of_change: RateOfChangeRule,
    /// Steam temperature against saturation at the measured pressure.
    #[serde(default)]
    pub saturation: SaturationRule,
    /// Statistical outliers.
    #[serde(default)]
    pub outlier: OutlierRule,
    /// Stale and flat-lined tags.
    #[serde(default)]
    pub stale: StaleRule,
    /// Source quality codes.
    #[serde(default)]
    pub quality: QualityRule,
    /// Per-tag adjustments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<TagOverride>,
}

fn yes() -> bool {
    true
}

/// Range check: a value outside its tag's design limits (0 to capacity ×
/// `flow_capacity_factor`, 0 to design pressure × `pressure_design_factor`,
/// up to saturation or design superheat + `saturation_band_k`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RangeRule {
    /// Whether the rule runs.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// What happens to an out-of-range reading.
    #[serde(default = "reject")]
    pub action: Action,
    /// Flow limit as a multiple of capacity.
    #[serde(default = "default_flow_factor")]
    pub flow_capacity_factor: f64,
    /// Pressure limit as a multiple of design pressure.
    #[serde(default = "default_pressure_factor")]
    pub pressure_design_factor: f64,
    /// Allowance above saturation or design superheat [K].
    #[serde(default = "default_band")]
    pub saturation_band_k: f64,
}

fn reject() -> Action {
    Action::Reject
}
fn flag() -> Action {
    Action::Flag
}
fn default_flow_factor() -> f64 {
    1.1
}
fn default_pressure_factor() -> f64 {
    1.2
}
fn default_band() -> f64 {
    50.0
}

impl Default for RangeRule {
    fn default() -> Self {
        RangeRule {
            enabled: true,
            action: Action::Reject,
            flow_capacity_factor: default_flow_factor(),
            pressure_design_factor: default_pressure_factor(),
            saturation_band_k: default_band(),
        }
    }
}

/// Rate-of-change check between consecutive readings of a tag.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateOfChangeRule {
    /// Whether the rule runs.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// What happens to a reading that changed too fast.
    #[serde(default = "flag")]
    pub action: Action,
    /// Fastest plausible pressure change [bar/s].
    #[serde(default = "default_pressure_rate")]
    pub max_pressure_bar_per_s: f64,
    /// Fastest plausible temperature change [K/s].
    #[serde(default = "default_temperature_rate")]
    pub max_temperature_k_per_s: f64,
    /// Fastest plausible flow change, as a share of capacity per second [%/s].
    #[serde(default = "default_flow_rate")]
    pub max_flow_pct_per_s: f64,
}

fn default_pressure_rate() -> f64 {
    1.0
}
fn default_temperature_rate() -> f64 {
    5.0
}
fn default_flow_rate() -> f64 {
    20.0
}

impl Default for RateOfChangeRule {
    fn default() -> Self {
        RateOfChangeRule {
            enabled: true,
            action: Action::Flag,
            max_pressure_bar_per_s: default_pressure_rate(),
            max_temperature_k_per_s: default_temperature_rate(),
            max_flow_pct_per_s: default_flow_rate(),
        }
    }
}

/// A steam temperature must not lie far below saturation at the pressure
/// measured beside it (wet steam or a wrong sensor), nor far above it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaturationRule {
    /// Whether the rule runs.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// What happens to an inconsistent reading.
    #[serde(default = "flag")]
    pub action: Action,
    /// How far below saturation a steam temperature may read [K].
    #[serde(default = "default_below")]
    pub below_saturation_k: f64,
    /// How far above saturation (or design superheat) it may read [K].
    #[serde(default = "default_band")]
    pub above_saturation_k: f64,
}

fn default_below() -> f64 {
    5.0
}

impl Default for SaturationRule {
    fn default() -> Self {
        SaturationRule {
            enabled: true,
            action: Action::Flag,
            below_saturation_k: default_below(),
            above_saturation_k: default_band(),
        }
    }
}

/// Robust outlier test: |x − median| / (1.4826 · MAD) over the trailing
/// `window_secs` above `threshold` (Hampel identifier).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutlierRule {
    /// Whether the rule runs.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// What happens to an outlier.
    #[serde(default = "flag")]
    pub action: Action,
    /// Trailing window the median and MAD are taken over [s].
    #[serde(default = "default_outlier_window")]
    pub window_secs: u64,
    /// Robust z-score above which a reading is an outlier.
    #[serde(default = "default_threshold")]
    pub threshold: f64,
    /// Fewest readings in the window before the test applies.
    #[serde(default = "default_min_samples")]
    pub min_samples: u32,
}

fn default_outlier_window() -> u64 {
    300
}
fn default_threshold() -> f64 {
    3.5
}
fn default_min_samples() -> u32 {
    10
}

impl Default for OutlierRule {
    fn default() -> Self {
        OutlierRule {
            enabled: true,
            action: Action::Flag,
            window_secs: default_outlier_window(),
            threshold: default_threshold(),
            min_samples: default_min_samples(),
        }
    }
}

/// Stale tags (no reading for `max_gap_secs`) and flat-lined tags (a value
/// within `flatline_tolerance` for `flatline_secs`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaleRule {
    /// Whether the rule runs.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// What happens to readings of a flat-lined tag.
    #[serde(default = "flag")]
    pub action: Action,
    /// Longest silence before a tag is stale [s].
    #[serde(default = "default_gap")]
    pub max_gap_secs: u64,
    /// How long a value may stay unchanged [s].
    #[serde(default = "default_flatline")]
    pub flatline_secs: u64,
    /// Changes smaller than this count as unchanged (in the tag's unit).
    #[serde(default)]
    pub flatline_tolerance: f64,
}

fn default_gap() -> u64 {
    60
}
fn default_flatline() -> u64 {
    900
}

impl Default for StaleRule {
    fn default() -> Self {
        StaleRule {
            enabled: true,
            action: Action::Flag,
            max_gap_secs: default_gap(),
            flatline_secs: default_flatline(),
            flatline_tolerance: 0.0,
        }
    }
}

/// What to do with readings the source marked uncertain or bad.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualityRule {
    /// Action for `uncertain` readings.
    #[serde(default = "flag")]
    pub uncertain: Action,
    /// Action for `bad` readings.
    #[serde(default = "reject")]
    pub bad: Action,
}

impl Default for QualityRule {
    fn default() -> Self {
        QualityRule {
            uncertain: Action::Flag,
            bad: Action::Reject,
        }
    }
}

/// The rules an override can switch off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleName {
    /// [`RangeRule`].
    Range,
    /// [`RateOfChangeRule`].
    RateOfChange,
    /// [`SaturationRule`].
    Saturation,
    /// [`OutlierRule`].
    Outlier,
    /// [`StaleRule`].
    Stale,
}

/// Adjustments for some tags.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagOverride {
    /// The tags.
    pub tags: Vec<String>,
    /// The plant binding them; absent: any plant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plant: Option<String>,
    /// Lowest valid value, replacing the design limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Highest valid value, replacing the design limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Fastest valid change, in the tag's unit per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_rate_per_s: Option<f64>,
    /// Rules that do not apply to these tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disable: Vec<RuleName>,
}

impl Checker<'_> {
    pub(crate) fn check_validation(&mut self, validation: &ValidationConfig) {
        let path = KeyPath::root().key("validation");
        let range = path.key("range");
        self.positive(
            range.key("flow_capacity_factor"),
            validation.range.flow_capacity_factor,
        );
        self.positive(
            range.key("pressure_design_factor"),
            validation.range.pressure_design_factor,
        );
        self.non_negative(
            range.key("saturation_band_k"),
            validation.range.saturation_band_k,
        );
        let rate = path.key("rate_of_change");
        self.positive(
            rate.key("max_pressure_bar_per_s"),
            validation.rate_of_change.max_pressure_bar_per_s,
        );
        self.positive(
            rate.key("max_temperature_k_per_s"),
            validation.rate_of_change.max_temperature_k_per_s,
        );
        self.positive(
            rate.key("max_flow_pct_per_s"),
            validation.rate_of_change.max_flow_pct_per_s,
        );
        let saturation = path.key("saturation");
        self.non_negative(
            saturation.key("below_saturation_k"),
            validation.saturation.below_saturation_k,
        );
        self.non_negative(
            saturation.key("above_saturation_k"),
            validation.saturation.above_saturation_k,
        );
        let outlier = path.key("outlier");
        self.positive(outlier.key("threshold"), validation.outlier.threshold);
        if validation.outlier.window_secs == 0 {
            self.issue(outlier.key("window_secs"), "must be greater than 0");
        }
        let stale = path.key("stale");
        if validation.stale.max_gap_secs == 0 {
            self.issue(stale.key("max_gap_secs"), "must be greater than 0");
        }
        self.non_negative(
            stale.key("flatline_tolerance"),
            validation.stale.flatline_tolerance,
        );
        for (i, o) in validation.overrides.iter().enumerate() {
            self.check_override(&path.key("overrides").index(i), o);
        }
    }

    fn check_override(&mut self, path: &KeyPath, o: &TagOverride) {
        if o.tags.is_empty() {
            self.issue(path.key("tags"), "name at least one tag");
        }
        if let Some(plant) = &o.plant {
            self.plant_reference(&path.key("plant"), plant);
        }
        for (i, tag) in o.tags.iter().enumerate() {
            if !self.tag_known(o.plant.as_deref(), tag) {
                self.issue(
                    path.key("tags").index(i),
                    format!("no plant binds the tag `{tag}`"),
                );
            }
        }
        if let (Some(min), Some(max)) = (o.min, o.max)
            && min.partial_cmp(&max) != Some(std::cmp::Ordering::Less)
        {
            self.issue(path.key("max"), format!("max {max} is not above min {min}"));
        }
        if let Some(rate) = o.max_rate_per_s {
            self.positive(path.key("max_rate_per_s"), rate);
        }
    }
}
