//! `[alerts.<id>]`: alert rules.
//!
//! A rule has a `severity` (the seed's critical / high / medium / low), a
//! `condition` and the condition's own keys in the same table:
//!
//! | condition         | keys (required in bold)                              |
//! |-------------------|------------------------------------------------------|
//! | `threshold`       | **tags**, `above` and/or `below` (per reading)       |
//! | `trap_failure`    | `modes` (blown_open, leaking, blocked, degraded), `min_confidence` |
//! | `leak`            | `min_loss_kg_h`                                      |
//! | `loss`            | `category`, `above_kg_h` and/or `above_cost_per_day` |
//! | `balance_closure` | `mass_tolerance_pct` (5), `energy_tolerance_pct` (7) |
//! | `pressure_anomaly`| `headers`, `deviation_pct` (10)                      |
//! | `recovery_rate`   | **below_pct**                                        |
//!
//! Every rule also takes `plants` (limit it to some plants), `for_secs`
//! (the condition must hold this long before the alert fires),
//! `clear_for_secs` (and be gone this long before it resolves),
//! `hysteresis` (a threshold alert resolves only beyond the threshold by
//! this much, in the threshold's unit), `repeat_secs` (notify again while
//! firing; by default an alert notifies once when it fires and once when it
//! resolves) and `description`.

use serde::{Deserialize, Serialize};

use super::Checker;
use super::diagnostic::KeyPath;

/// How urgent an alert is; defined with the alert state machines.
pub use steamflow_operators::alerting::Severity;

/// What an alert watches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConditionKind {
    /// A reading above or below a threshold.
    Threshold,
    /// A trap classified in a failed mode.
    TrapFailure,
    /// A leak detected.
    Leak,
    /// A loss category above a level.
    Loss,
    /// The mass or energy balance does not close.
    BalanceClosure,
    /// A header pressure away from its operating pressure.
    PressureAnomaly,
    /// Condensate recovery below a level.
    RecoveryRate,
}

impl ConditionKind {
    fn as_str(self) -> &'static str {
        match self {
            ConditionKind::Threshold => "threshold",
            ConditionKind::TrapFailure => "trap_failure",
            ConditionKind::Leak => "leak",
            ConditionKind::Loss => "loss",
            ConditionKind::BalanceClosure => "balance_closure",
            ConditionKind::PressureAnomaly => "pressure_anomaly",
            ConditionKind::RecoveryRate => "recovery_rate",
        }
    }

    /// Required keys, and optional ones.
    fn keys(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            ConditionKind::Threshold => (&["tags"], &["above", "below"]),
            ConditionKind::TrapFailure => (&[], &["modes", "min_confidence"]),
            ConditionKind::Leak => (&[], &["min_loss_kg_h"]),
            ConditionKind::Loss => (&[], &["category", "above_kg_h", "above_cost_per_day"]),
            ConditionKind::BalanceClosure => (&[], &["mass_tolerance_pct", "energy_tolerance_pct"]),
            ConditionKind::PressureAnomaly => (&[], &["headers", "deviation_pct"]),
            ConditionKind::RecoveryRate => (&["below_pct"], &[]),
        }
    }
}

/// Trap failure modes an alert can watch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrapMode {
    /// Steam blowing through.
    BlownOpen,
    /// Partial steam loss.
    Leaking,
    /// No discharge.
    Blocked,
    /// Reduced performance.
    Degraded,
}

/// Loss categories of the balance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LossCategory {
    /// All losses together.
    Total,
    /// Heat loss from pipework.
    Pipe,
    /// Steam through failed traps.
    Trap,
    /// Steam leaks.
    Leak,
    /// Flash steam not recovered.
    Flash,
    /// Condensate not returned.
    Condensate,
    /// What the balance cannot explain.
    Unaccounted,
}

/// One alert rule as written.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertRule {
    /// How urgent.
    pub severity: Severity,
    /// What it watches.
    pub condition: ConditionKind,
    /// What the alert means, for the people it pages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Plants it applies to; empty: all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub plants: Vec<String>,
    /// How long the condition must hold before the alert fires [s].
    #[serde(default)]
    pub for_secs: u64,
    /// How long the condition must be gone before the alert resolves [s].
    #[serde(default)]
    pub clear_for_secs: u64,
    /// Dead band beyond the threshold before the alert resolves (threshold's unit).
    #[serde(default)]
    pub hysteresis: f64,
    /// Notify again every so often while firing [s]; absent: once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_secs: Option<u64>,
    /// `threshold`: the tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// `threshold`: fire above this value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub above: Option<f64>,
    /// `threshold`: fire below this value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below: Option<f64>,
    /// `trap_failure`: the modes that fire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modes: Option<Vec<TrapMode>>,
    /// `trap_failure`: least classification confidence, 0–1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_confidence: Option<f64>,
    /// `leak`: least loss that fires [kg/h].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_loss_kg_h: Option<f64>,
    /// `loss`: the category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<LossCategory>,
    /// `loss`: fire above this loss [kg/h].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub above_kg_h: Option<f64>,
    /// `loss`: fire above this cost per day (plant currency).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub above_cost_per_day: Option<f64>,
    /// `balance_closure`: allowed mass imbalance [%].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mass_tolerance_pct: Option<f64>,
    /// `balance_closure`: allowed energy imbalance [%].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub energy_tolerance_pct: Option<f64>,
    /// `pressure_anomaly`: headers watched; empty: all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<Vec<String>>,
    /// `pressure_anomaly`: allowed deviation from operating pressure [%].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deviation_pct: Option<f64>,
    /// `recovery_rate`: fire below this recovery [%].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below_pct: Option<f64>,
}

/// A checked alert condition with its defaults filled in.
#[derive(Clone, Debug, PartialEq)]
pub enum AlertCondition {
    /// A reading of one of `tags` above `above` or below `below`.
    Threshold {
        /// Tags watched.
        tags: Vec<String>,
        /// Upper threshold.
        above: Option<f64>,
        /// Lower threshold.
        below: Option<f64>,
    },
    /// A trap in one of `modes` with at least `min_confidence`.
    TrapFailure {
        /// Modes that fire.
        modes: Vec<TrapMode>,
        /// Least confidence.
        min_confidence: f64,
    },
    /// A leak of at least `min_loss_kg_h`.
    Leak {
        /// Least loss [kg/h].
        min_loss_kg_h: f64,
    },
    /// A loss category above a level.
    Loss {
        /// Category.
        category: LossCategory,
        /// Level [kg/h].
        above_kg_h: Option<f64>,
        /// Level [money/day].
        above_cost_per_day: Option<f64>,
    },
    /// Imbalance beyond the tolerances.
    BalanceClosure {
        /// Mass [%].
        mass_tolerance_pct: f64,
        /// Energy [%].
        energy_tolerance_pct: f64,
    },
    /// Header pressure deviation.
    PressureAnomaly {
        /// Headers; empty: all.
        headers: Vec<String>,
        /// Deviation [%].
        deviation_pct: f64,
    },
    /// Recovery below a level.
    RecoveryRate {
        /// Level [%].
        below_pct: f64,
    },
}

impl AlertRule {
    /// Which condition keys are set.
    fn set_keys(&self) -> [(&'static str, bool); 14] {
        [
            ("tags", !self.tags.is_empty()),
            ("above", self.above.is_some()),
            ("below", self.below.is_some()),
            ("modes", self.modes.is_some()),
            ("min_confidence", self.min_confidence.is_some()),
            ("min_loss_kg_h", self.min_loss_kg_h.is_some()),
            ("category", self.category.is_some()),
            ("above_kg_h", self.above_kg_h.is_some()),
            ("above_cost_per_day", self.above_cost_per_day.is_some()),
            ("mass_tolerance_pct", self.mass_tolerance_pct.is_some()),
            ("energy_tolerance_pct", self.energy_tolerance_pct.is_some()),
            ("headers", self.headers.is_some()),
            ("deviation_pct", self.deviation_pct.is_some()),
            ("below_pct", self.below_pct.is_some()),
        ]
    }

    /// The typed condition, defaults filled in (the checks have passed).
    pub fn spec(&self) -> AlertCondition {
        match self.condition {
            ConditionKind::Threshold => AlertCondition::Threshold {
                tags: self.tags.clone(),
                above: self.above,
                below: self.below,
            },
            ConditionKind::TrapFailure => AlertCondition::TrapFailure {
                modes: self.modes.clone().unwrap_or_else(|| {
                    vec![TrapMode::BlownOpen, TrapMode::Leaking, TrapMode::Blocked]
                }),
                min_confidence: self.min_confidence.unwrap_or(0.7),
            },
            ConditionKind::Leak => AlertCondition::Leak {
                min_loss_kg_h: self.min_loss_kg_h.unwrap_or(0.0),
            },
            ConditionKind::Loss => AlertCondition::Loss {
                category: self.category.unwrap_or(LossCategory::Total),
                above_kg_h: self.above_kg_h,
                above_cost_per_day: self.above_cost_per_day,
            },
            ConditionKind::BalanceClosure => AlertCondition::BalanceClosure {
                mass_tolerance_pct: self.mass_tolerance_pct.unwrap_or(5.0),
                energy_tolerance_pct: self.energy_tolerance_pct.unwrap_or(7.0),
            },
            ConditionKind::PressureAnomaly => AlertCondition::PressureAnomaly {
                headers: self.headers.clone().unwrap_or_default(),
                deviation_pct: self.deviation_pct.unwrap_or(10.0),
            },
            ConditionKind::RecoveryRate => AlertCondition::RecoveryRate {
                below_pct: self.below_pct.unwrap_or(0.0),
            },
        }
    }
}

impl Checker<'_> {
    pub(crate) fn check_alert(&mut self, id: &str, rule: &AlertRule) {
        let path = KeyPath::root().key("alerts").key(id);
        let (required, optional) = rule.condition.keys();
        let name = rule.condition.as_str();
        for (key, set) in rule.set_keys() {
            if required.contains(&key) && !set {
                self.issue(
                    path.key(key),
                    format!("condition = \"{name}\" needs `{key}`"),
                );
            } else if set && !required.contains(&key) && !optional.contains(&key) {
                self.issue(
                    path.key(key),
                    format!("`{key}` does not apply to condition = \"{name}\""),
                );
            }
        }
        match rule.condition {
            ConditionKind::Threshold if rule.above.is_none() && rule.below.is_none() => {
                self.issue(
                    path.key("above"),
                    "a threshold needs `above`, `below` or both",
                );
            }
            ConditionKind::Loss
                if rule.above_kg_h.is_none() && rule.above_cost_per_day.is_none() =>
            {
                self.issue(
                    path.key("above_kg_h"),
                    "a loss alert needs `above_kg_h`, `above_cost_per_day` or both",
                );
            }
            _ => {}
        }
        if let (Some(above), Some(below)) = (rule.above, rule.below)
            && below.partial_cmp(&above) != Some(std::cmp::Ordering::Less)
        {
            self.issue(
                path.key("below"),
                format!("below {below} is not under above {above}: the alert would always fire"),
            );
        }
        self.non_negative(path.key("hysteresis"), rule.hysteresis);
        if rule.repeat_secs == Some(0) {
            self.issue(path.key("repeat_secs"), "must be greater than 0");
        }
        if let Some(c) = rule.min_confidence
            && !(0.0..=1.0).contains(&c)
        {
            self.issue(
                path.key("min_confidence"),
                format!("must be between 0 and 1, found {c}"),
            );
        }
        let non_negative = [
            ("min_loss_kg_h", rule.min_loss_kg_h),
            ("above_kg_h", rule.above_kg_h),
            ("above_cost_per_day", rule.above_cost_per_day),
            ("mass_tolerance_pct", rule.mass_tolerance_pct),
            ("energy_tolerance_pct", rule.energy_tolerance_pct),
            ("deviation_pct", rule.deviation_pct),
            ("below_pct", rule.below_pct),
        ];
        for (key, value) in non_negative {
            if let Some(v) = value {
                self.non_negative(path.key(key), v);
            }
        }
        for (i, plant) in rule.plants.iter().enumerate() {
            self.plant_reference(&path.key("plants").index(i), plant);
        }
        for (i, tag) in rule.tags.iter().enumerate() {
            if !self.tag_known(None, tag) {
                self.issue(
                    path.key("tags").index(i),
                    format!("no plant binds the tag `{tag}`"),
                );
            }
        }
        for (i, header) in rule.headers.iter().flatten().enumerate() {
            let known = self.present.plants.len() > self.config.plants.len()
                || self
                    .config
                    .plants
                    .values()
                    .any(|p| p.headers.iter().any(|h| &h.id == header));
            if !known {
                self.issue(
                    path.key("headers").index(i),
                    format!("no plant has a header `{header}`"),
                );
            }
        }
    }
}
