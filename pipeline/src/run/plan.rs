//! From a checked [`Config`] to what the dataflow runs: the graph's
//! windows, watermarks and per-tag validation rules ([`GraphConfig`]), the
//! window families each `[windows.<id>]` names, and the tag pairs that
//! must meet on one worker.
//!
//! The dataflow has one base window family, computed from readings, and
//! rollups computed from it. The base is the smallest tumbling window that
//! is not a rollup; every other window must tile from it (its size and
//! slide multiples of the base size). A sliding window of size `S` is
//! computed as a hopping window of size `S` that advances by the base
//! window: one window ends at every base-window boundary.
//!
//! Watermarks and lateness are one setting for the whole graph: the largest
//! `out_of_orderness_secs` and `allowed_lateness_secs` of any window, so
//! that no window closes earlier or forgets sooner than configured.
//!
//! Validation rules follow the plant model: design limits scaled by
//! `[validation.range]` and the saturation check of steam temperatures
//! ([`ValidationConfig::add_plant`]); rate limits by measurand (a flow's as
//! a share of its capacity), outliers, flatlines and gaps from
//! `[validation]`; `[[validation.overrides]]` replace limits or switch
//! rules off per tag. Readings are converted to their tag's unit
//! ([`UnitPlan`]), and the analysis stage runs on every plant
//! ([`AnalysisModel`]).

use anyhow::{Context, bail};
use steamflow_operators::plant::{LimitFactors, Measurand};
use steamflow_operators::reading::PlantId;

use std::sync::Arc;

use crate::config::validation::{Action, RuleName, TagOverride};
use crate::config::windows::{WindowConfig, WindowKind};
use crate::config::{Config, SourceConfig};
use crate::dataflow::analysis::AnalysisModel;
use crate::dataflow::plant_rules::PlantRuleOptions;
use crate::dataflow::units::UnitPlan;
use crate::dataflow::{
    FlatlineRule, GraphConfig, KeyRegistry, OutlierRule, Reason, TagKey, TagRules, Ticks,
    ValidationConfig, WindowSpec,
};

/// A `[windows.<id>]` as a family of the dataflow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedWindow {
    /// The config id (`1m`).
    pub id: String,
    /// The family.
    pub spec: WindowSpec,
}

/// What the graph is built from.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The graph's configuration (`sources_per_worker` is set per worker).
    pub graph: GraphConfig,
    /// Every configured window with its family, in config order.
    pub windows: Vec<NamedWindow>,
    /// The sample interval the outlier window is counted in [ms].
    pub sample_interval_ms: u64,
}

impl Plan {
    /// The plan of a config, or why the dataflow cannot run it. Routes
    /// each steam temperature with its pressure tag in `registry`: call it
    /// in every process with that process's registry, before the dataflow
    /// sees a reading.
    pub fn new(config: &Config, registry: &KeyRegistry) -> anyhow::Result<Plan> {
        let (base, windows) = window_families(config)?;
        let base_ms = u64::from(base.size_ms);
        let mut graph = GraphConfig {
            base_window: base,
            rollups: windows
                .iter()
                .map(|w| w.spec)
                .filter(|spec| *spec != base)
                .collect(),
            ..GraphConfig::default()
        };
        graph
            .rollups
            .sort_by_key(|spec| (spec.size_ms, spec.slide_ms));
        graph.rollups.dedup();
        graph.ingest.ticks = Ticks::new(base_ms);
        let secs =
            |f: fn(&WindowConfig) -> u64| config.windows.values().map(f).max().unwrap_or(0) * 1000;
        graph.ingest.out_of_orderness_ms = secs(|w| w.out_of_orderness_secs);
        graph.ingest.allowed_lateness_ms = secs(|w| w.allowed_lateness_secs);
        graph
            .rollup_plan()
            .context("the windows cannot be computed from the base window")?;
        let sample_interval_ms = sample_interval(config);
        graph.validation = validation_rules(config, registry, sample_interval_ms);
        let mut units = UnitPlan::default();
        for (id, plant) in &config.plants {
            units.add_plant(&PlantId::from(id.as_str()), plant);
        }
        graph.units = Arc::new(units);
        if !config.plants.is_empty() {
            let model = AnalysisModel::from_config(config).context("the analysis stage")?;
            graph.analysis = Some(Arc::new(model));
        }
        Ok(Plan {
            graph,
            windows,
            sample_interval_ms,
        })
    }

    /// The family a configured window names.
    pub fn window(&self, id: &str) -> Option<WindowSpec> {
        self.windows.iter().find(|w| w.id == id).map(|w| w.spec)
    }
}

/// The base family and every window's family.
fn window_families(config: &Config) -> anyhow::Result<(WindowSpec, Vec<NamedWindow>)> {
    let base = config
        .windows
        .iter()
        .filter(|(_, w)| w.kind == WindowKind::Tumbling && w.rollup_of.is_none())
        .map(|(id, w)| (w.size_secs, id))
        .min()
        .map(|(size, _)| size);
    let Some(base_secs) = base else {
        bail!("the config needs a tumbling window that is not a rollup (the base window)");
    };
    let base = WindowSpec::tumbling(base_secs * 1000)
        .with_context(|| format!("the base window of {base_secs} s"))?;
    let mut windows = Vec::new();
    for (id, window) in &config.windows {
        let size_ms = window.size_secs * 1000;
        let spec = match window.kind {
            WindowKind::Tumbling => WindowSpec::tumbling(size_ms),
            WindowKind::Hopping => WindowSpec::hopping(
                size_ms,
                window.slide_secs.unwrap_or(window.size_secs) * 1000,
            ),
            WindowKind::Sliding => WindowSpec::sliding(size_ms, u64::from(base.size_ms)),
        }
        .with_context(|| format!("windows.{id}"))?;
        if spec != base {
            spec.tiles_from(base).with_context(|| {
                format!(
                    "windows.{id}: every window is computed from the base window `{}`",
                    base.label()
                )
            })?;
        }
        windows.push(NamedWindow {
            id: id.clone(),
            spec,
        });
    }
    Ok((base, windows))
}

/// The sample interval of the config's simulators (the smallest), else 1 s.
fn sample_interval(config: &Config) -> u64 {
    config
        .sources
        .values()
        .filter_map(|source| match source {
            SourceConfig::Simulator(sim) => Some(sim.sample_interval_ms),
            _ => None,
        })
        .min()
        .unwrap_or(1000)
        .max(1)
}

/// The dataflow's validation rules for every bound tag: the plant model's
/// (limits, saturation pairs routed in `registry`), then the config's.
fn validation_rules(
    config: &Config,
    registry: &KeyRegistry,
    sample_interval_ms: u64,
) -> ValidationConfig {
    let rules = &config.validation;
    let factors = LimitFactors {
        flow_capacity_factor: rules.range.flow_capacity_factor,
        pressure_design_factor: rules.range.pressure_design_factor,
        saturation_band_k: rules.range.saturation_band_k,
    };
    let outlier = rules.outlier.enabled.then(|| OutlierRule {
        window: usize::try_from(rules.outlier.window_secs * 1000 / sample_interval_ms)
            .unwrap_or(usize::MAX)
            .clamp(5, 1001),
        threshold: rules.outlier.threshold,
        ..OutlierRule::default()
    });
    let flatline = rules.stale.enabled.then_some(FlatlineRule {
        tolerance: rules.stale.flatline_tolerance,
        min_duration_ms: rules.stale.flatline_secs * 1000,
    });
    let max_gap_ms = rules
        .stale
        .enabled
        .then_some(rules.stale.max_gap_secs * 1000);
    let mut validation = ValidationConfig {
        reject: rejecting_reasons(config),
        ..ValidationConfig::default()
    };
    let options = PlantRuleOptions {
        factors,
        saturation_below_k: rules.saturation.below_saturation_k,
        max_pair_age_ms: (2 * sample_interval_ms).max(5_000),
    };
    for (plant_id, plant) in &config.plants {
        validation.add_plant(registry, &PlantId::from(plant_id.as_str()), plant, &options);
        for (binding, limits) in plant.design_limits(&factors) {
            let key = TagKey::of(plant_id, binding.tag);
            let Some(tag_rules) = validation.tags.get_mut(&key) else {
                continue;
            };
            let capacity = limits.max / factors.flow_capacity_factor.max(f64::MIN_POSITIVE);
            if !rules.range.enabled {
                tag_rules.limits = None;
            }
            if !rules.saturation.enabled {
                tag_rules.saturation = None;
            }
            tag_rules.max_rate_per_s = rules
                .rate_of_change
                .enabled
                .then(|| max_rate(config, binding.measurand, capacity))
                .flatten();
            tag_rules.outlier = outlier;
            tag_rules.flatline = flatline;
            tag_rules.max_gap_ms = max_gap_ms;
            for o in rules
                .overrides
                .iter()
                .filter(|o| applies(o, plant_id, binding.tag))
            {
                apply_override(tag_rules, o);
            }
        }
    }
    validation
}

/// The reasons whose rule's action is `reject`.
fn rejecting_reasons(config: &Config) -> crate::dataflow::Flags {
    let rules = &config.validation;
    let mut reject = crate::dataflow::Flags::NONE;
    let mut set = |action: &Action, reason: Reason| {
        if *action == Action::Reject {
            reject.insert(reason);
        }
    };
    set(&rules.range.action, Reason::OutOfRange);
    set(&rules.rate_of_change.action, Reason::RateOfChange);
    set(&rules.saturation.action, Reason::Saturation);
    set(&rules.outlier.action, Reason::Outlier);
    set(&rules.stale.action, Reason::Flatline);
    set(&rules.quality.bad, Reason::Quality);
    reject
}

/// The fastest plausible change of a measurand [unit/s].
fn max_rate(config: &Config, measurand: Measurand, capacity: f64) -> Option<f64> {
    let rate = &config.validation.rate_of_change;
    match measurand {
        Measurand::Pressure => Some(rate.max_pressure_bar_per_s),
        Measurand::SteamTemperature
        | Measurand::WaterTemperature
        | Measurand::SurfaceTemperature
        | Measurand::AmbientTemperature => Some(rate.max_temperature_k_per_s),
        Measurand::SteamFlow | Measurand::CondensateFlow => (capacity.is_finite()
            && capacity > 0.0)
            .then(|| capacity * rate.max_flow_pct_per_s / 100.0),
        Measurand::AcousticLevel | Measurand::WindSpeed => None,
    }
}

fn applies(o: &TagOverride, plant: &str, tag: &str) -> bool {
    o.plant.as_deref().is_none_or(|p| p == plant) && o.tags.iter().any(|t| t == tag)
}

fn apply_override(rules: &mut TagRules, o: &TagOverride) {
    if o.min.is_some() || o.max.is_some() {
        let (min, max) = rules.limits.unwrap_or((f64::NEG_INFINITY, f64::INFINITY));
        rules.limits = Some((o.min.unwrap_or(min), o.max.unwrap_or(max)));
    }
    if let Some(rate) = o.max_rate_per_s {
        rules.max_rate_per_s = Some(rate);
    }
    for rule in &o.disable {
        match rule {
            RuleName::Range => rules.limits = None,
            RuleName::RateOfChange => rules.max_rate_per_s = None,
            RuleName::Saturation => rules.saturation = None,
            RuleName::Outlier => rules.outlier = None,
            RuleName::Stale => {
                rules.flatline = None;
                rules.max_gap_ms = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{DEMO_CONFIG, env};

    fn demo() -> Config {
        Config::from_toml(DEMO_CONFIG, "demo", &env::process_env).unwrap()
    }

    #[test]
    fn the_default_windows_make_a_one_minute_base_with_rollups() {
        let plan = Plan::new(&demo(), &KeyRegistry::new()).unwrap();
        assert_eq!(
            plan.graph.base_window,
            WindowSpec::tumbling(60_000).unwrap()
        );
        let rollups: Vec<String> = plan.graph.rollups.iter().map(|s| s.label()).collect();
        assert_eq!(rollups, vec!["5m", "15m", "1h"]);
        assert_eq!(plan.graph.ingest.ticks.tick_ms(), 60_000);
        assert_eq!(plan.graph.ingest.out_of_orderness_ms, 10_000);
        assert_eq!(plan.graph.ingest.allowed_lateness_ms, 300_000);
        assert_eq!(plan.window("15m"), WindowSpec::tumbling(900_000).ok());
    }

    #[test]
    fn every_bound_tag_gets_its_design_limits_and_temperatures_their_pressure() {
        let config = demo();
        let registry = KeyRegistry::new();
        let plan = Plan::new(&config, &registry).unwrap();
        let tags: usize = config.plants.values().map(|p| p.tag_bindings().len()).sum();
        assert_eq!(plan.graph.validation.tags.len(), tags);
        let pressure = plan.graph.validation.tags[&TagKey::of("north", "north.hp.pressure")];
        let (min, max) = pressure.limits.unwrap();
        assert_eq!(min, 0.0);
        assert!((max - 13.0 * 1.2).abs() < 1e-9);
        let temperature = plan.graph.validation.tags[&TagKey::of("north", "north.hp.temperature")];
        let saturation = temperature.saturation.unwrap();
        assert_eq!(
            saturation.pressure,
            TagKey::of("north", "north.hp.pressure")
        );
        // The pair meets on one worker.
        let route = |tag: &str| {
            let tag = steamflow_operators::reading::Tag::from(tag);
            registry
                .intern(&PlantId::from("north"), &tag)
                .unwrap()
                .route
        };
        assert_eq!(route("north.hp.temperature"), route("north.hp.pressure"));
        assert!(plan.graph.analysis.is_some());
        let flow = plan.graph.validation.tags[&TagKey::of("north", "north.b1.flow")];
        // 20 %/s of a 12 t/h boiler.
        assert!((flow.max_rate_per_s.unwrap() - 2400.0).abs() < 1e-6);
        assert!(plan.graph.validation.reject.contains(Reason::OutOfRange));
        assert!(!plan.graph.validation.reject.contains(Reason::Outlier));
    }

    #[test]
    fn overrides_replace_limits_and_switch_rules_off() {
        let text = format!(
            "{DEMO_CONFIG}\n[[validation.overrides]]\ntags = [\"north.b1.flow\"]\nmax = 15000.0\ndisable = [\"outlier\", \"stale\"]\n"
        );
        let config = Config::from_toml(&text, "demo", &env::process_env).unwrap();
        let plan = Plan::new(&config, &KeyRegistry::new()).unwrap();
        let flow = plan.graph.validation.tags[&TagKey::of("north", "north.b1.flow")];
        assert_eq!(flow.limits, Some((0.0, 15000.0)));
        assert!(flow.outlier.is_none() && flow.flatline.is_none() && flow.max_gap_ms.is_none());
    }

    #[test]
    fn windows_that_do_not_tile_from_the_base_are_refused() {
        let text = DEMO_CONFIG.to_owned()
            + "\n[windows.1m]\nkind = \"tumbling\"\nsize_secs = 60\n[windows.90s]\nkind = \"tumbling\"\nsize_secs = 90\n";
        let config = Config::from_toml(&text, "demo", &env::process_env).unwrap();
        let error = Plan::new(&config, &KeyRegistry::new()).unwrap_err();
        assert!(format!("{error:#}").contains("windows.90s"), "{error:#}");
        let text = DEMO_CONFIG.to_owned()
            + "\n[windows.1m]\nkind = \"tumbling\"\nsize_secs = 60\n[windows.avg]\nkind = \"sliding\"\nsize_secs = 600\n";
        let config = Config::from_toml(&text, "demo", &env::process_env).unwrap();
        let plan = Plan::new(&config, &KeyRegistry::new()).unwrap();
        assert_eq!(
            plan.window("avg"),
            WindowSpec::hopping(600_000, 60_000).ok()
        );
    }
}
