//! The simulator's settings: the body of a `[sources.<id>]` table with
//! `type = "simulator"`, and its fault schedule `[[sources.<id>.faults]]`.
//!
//! ```toml
//! [sources.sim]
//! type = "simulator"
//! plant = "north"
//! seed = 7
//! sample_interval_ms = 1000
//! duration_secs = 86400
//!
//! [[sources.sim.faults]]
//! kind = "trap_blown_open"
//! trap = "t3"
//! start_secs = 3600
//! ```
//!
//! A fault is one flat table: `kind` says what happens, `start_secs` and
//! `duration_secs` when, and the kind's own keys where and how much.
//! [`Fault::check`] says which keys each kind needs or refuses, and
//! [`Fault::spec`] turns a checked fault into a [`FaultSpec`].

use serde::{Deserialize, Serialize};
use steamflow_operators::plant::Plant;

/// Settings of one simulated plant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimulatorConfig {
    /// The plant to simulate: an id of `[plants.<id>]`.
    pub plant: String,
    /// Seed of every random draw: the same seed gives the same readings.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Time between two samples of every tag [ms].
    #[serde(default = "default_interval")]
    pub sample_interval_ms: u64,
    /// Simulated time span [s].
    #[serde(default = "default_duration")]
    pub duration_secs: u64,
    /// Event time of the first sample, RFC 3339 (`2025-01-01T00:00:00Z`).
    #[serde(default = "default_start")]
    pub start_time: String,
    /// Demand swings and sensor noise.
    #[serde(default)]
    pub variation: Variation,
    /// Faults injected on a schedule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<Fault>,
}

fn default_seed() -> u64 {
    1
}
fn default_interval() -> u64 {
    1000
}
fn default_duration() -> u64 {
    3600
}
fn default_start() -> String {
    "2025-01-01T00:00:00Z".to_owned()
}

impl SimulatorConfig {
    /// A healthy run of `plant` with the defaults.
    pub fn new(plant: impl Into<String>) -> Self {
        SimulatorConfig {
            plant: plant.into(),
            seed: default_seed(),
            sample_interval_ms: default_interval(),
            duration_secs: default_duration(),
            start_time: default_start(),
            variation: Variation::default(),
            faults: Vec::new(),
        }
    }
}

/// How much the healthy plant moves: process demand and sensor noise.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variation {
    /// Amplitude of the daily demand cycle, as a share of design flow [%].
    #[serde(default = "default_daily_swing")]
    pub daily_swing_pct: f64,
    /// Standard deviation of the slow random walk of each consumer's demand [%].
    #[serde(default = "default_demand_wander")]
    pub demand_wander_pct: f64,
    /// Flow meter noise, 1σ, as a share of the reading [%].
    #[serde(default = "default_flow_noise")]
    pub flow_noise_pct: f64,
    /// Pressure transmitter noise, 1σ [bar].
    #[serde(default = "default_pressure_noise")]
    pub pressure_noise_bar: f64,
    /// Temperature sensor noise, 1σ [K].
    #[serde(default = "default_temperature_noise")]
    pub temperature_noise_k: f64,
    /// Acoustic sensor noise, 1σ [dB].
    #[serde(default = "default_acoustic_noise")]
    pub acoustic_noise_db: f64,
}

fn default_daily_swing() -> f64 {
    15.0
}
fn default_demand_wander() -> f64 {
    3.0
}
fn default_flow_noise() -> f64 {
    0.5
}
fn default_pressure_noise() -> f64 {
    0.02
}
fn default_temperature_noise() -> f64 {
    0.3
}
fn default_acoustic_noise() -> f64 {
    1.5
}

impl Default for Variation {
    fn default() -> Self {
        Variation {
            daily_swing_pct: default_daily_swing(),
            demand_wander_pct: default_demand_wander(),
            flow_noise_pct: default_flow_noise(),
            pressure_noise_bar: default_pressure_noise(),
            temperature_noise_k: default_temperature_noise(),
            acoustic_noise_db: default_acoustic_noise(),
        }
    }
}

impl Variation {
    /// No demand movement and no sensor noise: every reading is the model's value.
    pub fn none() -> Self {
        Variation {
            daily_swing_pct: 0.0,
            demand_wander_pct: 0.0,
            flow_noise_pct: 0.0,
            pressure_noise_bar: 0.0,
            temperature_noise_k: 0.0,
            acoustic_noise_db: 0.0,
        }
    }
}

/// What a fault does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// A trap fails open: live steam blows through its full orifice.
    TrapBlownOpen,
    /// A trap leaks live steam through part of its orifice (`open_fraction`).
    TrapLeaking,
    /// A trap stops discharging: condensate backs up and cools.
    TrapBlocked,
    /// A trap wears: a small steam loss (`open_fraction`) and sluggish discharge.
    TrapDegraded,
    /// A hole of `diameter_mm` in a pipe segment.
    Leak,
    /// Meters read off by a growing error (`rate_per_h`, in the tag's unit per hour).
    Drift,
    /// Meters read off by a constant `offset` (in the tag's unit).
    Bias,
    /// Tags send nothing (all of the plant's tags when `tags` is empty).
    Dropout,
    /// Tags repeat the value they had when the fault began.
    Flatline,
    /// Extra Gaussian noise of `sigma` (in the tag's unit) on tags.
    Noise,
    /// Readings are delivered up to `max_delay_secs` late, shuffling their order.
    OutOfOrder,
    /// A `fraction` of readings is delivered `delay_secs` late.
    Late,
    /// A `fraction` of readings is delivered twice.
    Duplicate,
    /// A `fraction` of values is replaced by NaN, ±∞ or an absurd magnitude.
    Malformed,
}

impl FaultKind {
    /// The snake_case name used in configs.
    pub fn as_str(self) -> &'static str {
        match self {
            FaultKind::TrapBlownOpen => "trap_blown_open",
            FaultKind::TrapLeaking => "trap_leaking",
            FaultKind::TrapBlocked => "trap_blocked",
            FaultKind::TrapDegraded => "trap_degraded",
            FaultKind::Leak => "leak",
            FaultKind::Drift => "drift",
            FaultKind::Bias => "bias",
            FaultKind::Dropout => "dropout",
            FaultKind::Flatline => "flatline",
            FaultKind::Noise => "noise",
            FaultKind::OutOfOrder => "out_of_order",
            FaultKind::Late => "late",
            FaultKind::Duplicate => "duplicate",
            FaultKind::Malformed => "malformed",
        }
    }
}

/// One scheduled fault, as written in the config.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// What happens.
    pub kind: FaultKind,
    /// When it begins, after the start of the run [s].
    #[serde(default)]
    pub start_secs: u64,
    /// How long it lasts [s]; absent: to the end of the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_secs: Option<u64>,
    /// The trap (trap_* kinds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trap: Option<String>,
    /// The pipe segment (leak).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<String>,
    /// The tags (meter and delivery kinds).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Leak hole diameter [mm].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diameter_mm: Option<f64>,
    /// Share of the trap orifice passing live steam (trap_leaking, trap_degraded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_fraction: Option<f64>,
    /// Drift rate, in the tag's unit per hour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_per_h: Option<f64>,
    /// Bias, in the tag's unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<f64>,
    /// Noise standard deviation, in the tag's unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sigma: Option<f64>,
    /// Share of readings affected (late, duplicate, malformed, out_of_order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fraction: Option<f64>,
    /// Largest delivery delay of out_of_order [s].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_delay_secs: Option<f64>,
    /// Delivery delay of late [s].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_secs: Option<f64>,
}

impl Fault {
    /// A fault of `kind` from `start_secs` to the end of the run, no parameters set.
    pub fn new(kind: FaultKind, start_secs: u64) -> Self {
        Fault {
            kind,
            start_secs,
            duration_secs: None,
            trap: None,
            segment: None,
            tags: Vec::new(),
            diameter_mm: None,
            open_fraction: None,
            rate_per_h: None,
            offset: None,
            sigma: None,
            fraction: None,
            max_delay_secs: None,
            delay_secs: None,
        }
    }
}

/// What a checked fault does, with its defaults filled in.
#[derive(Clone, Debug, PartialEq)]
pub enum FaultSpec {
    /// A trap passes live steam through `open_fraction` of its orifice area
    /// (1 when blown open); `blocked` traps pass nothing at all.
    Trap {
        /// Index into the plant's traps.
        trap: usize,
        /// Failure mode.
        mode: TrapFailure,
    },
    /// A hole in a segment.
    Leak {
        /// Index into the plant's segments.
        segment: usize,
        /// Hole diameter [mm].
        diameter_mm: f64,
    },
    /// A meter or delivery fault on `tags` (empty: every tag).
    Signal {
        /// Tags affected.
        tags: Vec<String>,
        /// What happens to them.
        effect: SignalEffect,
    },
}

/// How a trap has failed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TrapFailure {
    /// Full orifice open.
    BlownOpen,
    /// Part of the orifice area open.
    Leaking {
        /// Share of the orifice area.
        open_fraction: f64,
    },
    /// No discharge.
    Blocked,
    /// Small steam loss and sluggish discharge.
    Degraded {
        /// Share of the orifice area.
        open_fraction: f64,
    },
}

/// What a signal fault does to a reading.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SignalEffect {
    /// Adds `rate_per_h` × hours since the start of the fault.
    Drift {
        /// In the tag's unit per hour.
        rate_per_h: f64,
    },
    /// Adds `offset`.
    Bias {
        /// In the tag's unit.
        offset: f64,
    },
    /// Drops the reading.
    Dropout,
    /// Repeats the first value seen after the fault began.
    Flatline,
    /// Adds Gaussian noise.
    Noise {
        /// Standard deviation, in the tag's unit.
        sigma: f64,
    },
    /// Delays delivery by a uniform draw in [0, max_delay_secs] for `fraction` of readings.
    OutOfOrder {
        /// Largest delay [s].
        max_delay_secs: f64,
        /// Share affected.
        fraction: f64,
    },
    /// Delays delivery by `delay_secs` for `fraction` of readings.
    Late {
        /// Delay [s].
        delay_secs: f64,
        /// Share affected.
        fraction: f64,
    },
    /// Delivers `fraction` of readings twice.
    Duplicate {
        /// Share affected.
        fraction: f64,
    },
    /// Replaces `fraction` of values by NaN, ±∞ or ±1e300.
    Malformed {
        /// Share affected.
        fraction: f64,
    },
}

/// One thing wrong with a fault, keyed relative to the fault's table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultIssue {
    /// The key (`"trap"`, `"diameter_mm"`), or `""` for the fault as a whole.
    pub key: &'static str,
    /// What is wrong.
    pub message: String,
}

/// Which of a fault's optional keys are set, by name.
fn set_keys(fault: &Fault) -> [(&'static str, bool); 11] {
    [
        ("trap", fault.trap.is_some()),
        ("segment", fault.segment.is_some()),
        ("tags", !fault.tags.is_empty()),
        ("diameter_mm", fault.diameter_mm.is_some()),
        ("open_fraction", fault.open_fraction.is_some()),
        ("rate_per_h", fault.rate_per_h.is_some()),
        ("offset", fault.offset.is_some()),
        ("sigma", fault.sigma.is_some()),
        ("fraction", fault.fraction.is_some()),
        ("max_delay_secs", fault.max_delay_secs.is_some()),
        ("delay_secs", fault.delay_secs.is_some()),
    ]
}

impl FaultKind {
    /// The keys this kind must have, and the optional ones it accepts.
    fn keys(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            FaultKind::TrapBlownOpen | FaultKind::TrapBlocked => (&["trap"], &[]),
            FaultKind::TrapLeaking | FaultKind::TrapDegraded => (&["trap"], &["open_fraction"]),
            FaultKind::Leak => (&["segment", "diameter_mm"], &[]),
            FaultKind::Drift => (&["tags", "rate_per_h"], &[]),
            FaultKind::Bias => (&["tags", "offset"], &[]),
            FaultKind::Flatline => (&["tags"], &[]),
            FaultKind::Noise => (&["tags", "sigma"], &[]),
            FaultKind::Dropout => (&[], &["tags"]),
            FaultKind::OutOfOrder => (&[], &["tags", "fraction", "max_delay_secs"]),
            FaultKind::Late => (&["delay_secs"], &["tags", "fraction"]),
            FaultKind::Duplicate | FaultKind::Malformed => (&[], &["tags", "fraction"]),
        }
    }
}

impl Fault {
    /// Every issue of this fault: keys its kind needs or does not take,
    /// values out of range and, given the plant it runs on, unknown traps,
    /// segments and tags.
    pub fn check(&self, plant: Option<&Plant>) -> Vec<FaultIssue> {
        let mut issues = Vec::new();
        let mut issue =
            |key: &'static str, message: String| issues.push(FaultIssue { key, message });
        let (required, optional) = self.kind.keys();
        for (key, set) in set_keys(self) {
            if required.contains(&key) && !set {
                issue(
                    key,
                    format!("kind = \"{}\" needs `{key}`", self.kind.as_str()),
                );
            } else if set && !required.contains(&key) && !optional.contains(&key) {
                issue(
                    key,
                    format!(
                        "`{key}` does not apply to kind = \"{}\"",
                        self.kind.as_str()
                    ),
                );
            }
        }
        if self.duration_secs == Some(0) {
            issue("duration_secs", "must be greater than 0".to_owned());
        }
        if let Some(plant) = plant {
            if let Some(trap) = &self.trap
                && !plant.traps.iter().any(|t| &t.id == trap)
            {
                issue("trap", format!("the plant has no trap `{trap}`"));
            }
            if let Some(segment) = &self.segment
                && !plant.segments.iter().any(|s| &s.id == segment)
            {
                issue("segment", format!("the plant has no segment `{segment}`"));
            }
            let bindings = plant.tag_bindings();
            for tag in &self.tags {
                if !bindings.iter().any(|b| b.tag == tag) {
                    issue("tags", format!("the plant binds no tag `{tag}`"));
                }
            }
        }
        let mut in_range =
            |key: &'static str, value: Option<f64>, lo: f64, hi: f64, lo_open: bool| {
                if let Some(v) = value
                    && !(v.is_finite() && v <= hi && (v > lo || (!lo_open && v == lo)))
                {
                    let bracket = if lo_open { "(" } else { "[" };
                    issue(key, format!("must lie in {bracket}{lo}, {hi}], found {v}"));
                }
            };
        in_range("diameter_mm", self.diameter_mm, 0.0, 500.0, true);
        in_range("open_fraction", self.open_fraction, 0.0, 1.0, true);
        in_range("fraction", self.fraction, 0.0, 1.0, true);
        in_range("max_delay_secs", self.max_delay_secs, 0.0, 86_400.0, true);
        in_range("delay_secs", self.delay_secs, 0.0, 86_400.0, true);
        in_range("sigma", self.sigma, 0.0, f64::MAX, false);
        in_range("rate_per_h", self.rate_per_h, f64::MIN, f64::MAX, false);
        in_range("offset", self.offset, f64::MIN, f64::MAX, false);
        issues
    }

    /// The fault's effect, with defaults filled in; `None` when [`Fault::check`]
    /// would report an issue that leaves it without meaning.
    pub fn spec(&self, plant: &Plant) -> Option<FaultSpec> {
        let trap = || {
            self.trap
                .as_ref()
                .and_then(|id| plant.traps.iter().position(|t| &t.id == id))
        };
        let signal = |effect| {
            Some(FaultSpec::Signal {
                tags: self.tags.clone(),
                effect,
            })
        };
        let fraction = |default: f64| self.fraction.unwrap_or(default);
        match self.kind {
            FaultKind::TrapBlownOpen => Some(FaultSpec::Trap {
                trap: trap()?,
                mode: TrapFailure::BlownOpen,
            }),
            FaultKind::TrapBlocked => Some(FaultSpec::Trap {
                trap: trap()?,
                mode: TrapFailure::Blocked,
            }),
            FaultKind::TrapLeaking => Some(FaultSpec::Trap {
                trap: trap()?,
                mode: TrapFailure::Leaking {
                    open_fraction: self.open_fraction.unwrap_or(0.15),
                },
            }),
            FaultKind::TrapDegraded => Some(FaultSpec::Trap {
                trap: trap()?,
                mode: TrapFailure::Degraded {
                    open_fraction: self.open_fraction.unwrap_or(0.04),
                },
            }),
            FaultKind::Leak => Some(FaultSpec::Leak {
                segment: self
                    .segment
                    .as_ref()
                    .and_then(|id| plant.segments.iter().position(|s| &s.id == id))?,
                diameter_mm: self.diameter_mm?,
            }),
            FaultKind::Drift => signal(SignalEffect::Drift {
                rate_per_h: self.rate_per_h?,
            }),
            FaultKind::Bias => signal(SignalEffect::Bias {
                offset: self.offset?,
            }),
            FaultKind::Dropout => signal(SignalEffect::Dropout),
            FaultKind::Flatline => signal(SignalEffect::Flatline),
            FaultKind::Noise => signal(SignalEffect::Noise { sigma: self.sigma? }),
            FaultKind::OutOfOrder => signal(SignalEffect::OutOfOrder {
                max_delay_secs: self.max_delay_secs.unwrap_or(30.0),
                fraction: fraction(1.0),
            }),
            FaultKind::Late => signal(SignalEffect::Late {
                delay_secs: self.delay_secs?,
                fraction: fraction(0.1),
            }),
            FaultKind::Duplicate => signal(SignalEffect::Duplicate {
                fraction: fraction(0.05),
            }),
            FaultKind::Malformed => signal(SignalEffect::Malformed {
                fraction: fraction(0.01),
            }),
        }
    }
}
