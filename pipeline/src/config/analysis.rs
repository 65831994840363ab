//! `[analysis]`: the settings of the analysis stage — trap classification
//! per trap type, leak detection, balance closure and the window features.
//!
//! Every table is optional and names only what it changes; the rest keeps
//! the defaults of the calculations themselves.
//!
//! ```toml
//! [analysis.traps.all]              # every trap type
//! acoustic_baseline_db = 38.0       # what a healthy trap reads
//! acoustic_db_per_decade = 15.0     # level change per tenfold steam flow
//!
//! [analysis.traps.thermostatic]     # one type
//! blocked_subcooling_k = 50.0
//!
//! [analysis.acoustic_baselines.north]   # one trap's healthy level (survey)
//! t_digester = 46.0
//!
//! [analysis.leaks.balance]          # the mass-balance CUSUM
//! min_leak_kg_h = 20.0
//! warmup_windows = 30
//!
//! [analysis.leaks.acoustic]         # the ultrasonic CUSUM and sizing
//! calibration_excess_db = 40.0
//!
//! [analysis.balance]                # closure tolerances
//! mass_tolerance_pct = 5.0
//! energy_tolerance_pct = 7.0
//!
//! [analysis.features]
//! moving_average_windows = 5
//!
//! [analysis.recommendations]        # see `recommendations`
//! budget = 20000.0
//! ```

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use steamflow_operators::analysis::leak_detection::LeakDetectionConfig;
use steamflow_operators::analysis::plant_balance::BalanceConfig;
use steamflow_operators::analysis::trap_status::TrapClassifierConfig;

use super::Checker;
use super::diagnostic::KeyPath;

/// The analysis settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalysisConfig {
    /// Trap classification thresholds: `all`, then per trap type.
    #[serde(default)]
    pub traps: TrapClassifierConfig,
    /// The healthy acoustic level of single traps \[dB\], by plant and trap
    /// id (a survey, or what the sensor read while the trap was known to be
    /// healthy); it replaces the type's `acoustic_baseline_db` for that trap.
    /// A trap that discharges continuously under a large condensate load
    /// reads louder than the type's baseline.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub acoustic_baselines: IndexMap<String, IndexMap<String, f64>>,
    /// Leak detection: `balance`, `acoustic` and `priority`.
    #[serde(default)]
    pub leaks: LeakDetectionConfig,
    /// Mass and energy closure tolerances.
    #[serde(default)]
    pub balance: BalanceConfig,
    /// Moving averages and rates of change of the steam states.
    #[serde(default)]
    pub features: FeatureConfig,
    /// Candidate projects, the optimizer and the `recommendations` stream.
    #[serde(default)]
    pub recommendations: super::recommendations::RecommendationConfig,
}

impl AnalysisConfig {
    /// True when nothing differs from the defaults (the section is left out
    /// of a written config).
    pub fn is_default(&self) -> bool {
        *self == AnalysisConfig::default()
    }

    /// The healthy acoustic level set for one trap, if any.
    pub fn acoustic_baseline(&self, plant: &str, trap: &str) -> Option<f64> {
        self.acoustic_baselines.get(plant)?.get(trap).copied()
    }
}

/// Settings of the window features.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FeatureConfig {
    /// Windows in a moving average (the current one included).
    pub moving_average_windows: u32,
}

impl Default for FeatureConfig {
    /// Five one-minute windows.
    fn default() -> Self {
        FeatureConfig {
            moving_average_windows: 5,
        }
    }
}

impl Checker<'_> {
    pub(crate) fn check_analysis(&mut self, analysis: &AnalysisConfig) {
        let path = KeyPath::root().key("analysis");
        for (trap_type, error) in analysis.traps.check() {
            self.issue(
                path.key("traps").key(trap_type.as_str()),
                format!("the thresholds of {trap_type} traps are invalid: {error}"),
            );
        }
        for (plant_id, traps) in &analysis.acoustic_baselines {
            let plants = path.key("acoustic_baselines");
            let plant = self.plant_reference(&plants.key(plant_id), plant_id);
            for (trap, level) in traps {
                let key = plants.key(plant_id).key(trap);
                if let Some(plant) = plant
                    && !plant.traps.iter().any(|t| &t.id == trap)
                {
                    self.issue(
                        key.clone(),
                        format!("plant `{plant_id}` has no trap `{trap}`"),
                    );
                }
                if !level.is_finite() {
                    self.issue(key, format!("must be a number, found {level}"));
                }
            }
        }
        if let Err((part, error)) = analysis.leaks.check() {
            self.issue(path.key("leaks").key(part), error.to_string());
        }
        let balance = path.key("balance");
        self.positive(
            balance.key("mass_tolerance_pct"),
            analysis.balance.mass_tolerance_pct,
        );
        self.positive(
            balance.key("energy_tolerance_pct"),
            analysis.balance.energy_tolerance_pct,
        );
        if analysis.features.moving_average_windows == 0 {
            self.issue(
                path.key("features").key("moving_average_windows"),
                "must be at least 1",
            );
        }
        self.check_recommendations(&analysis.recommendations);
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Config, DEMO_CONFIG};

    fn no_env(_: &str) -> Option<String> {
        None
    }

    /// (key path, message) of every error of the demo with `extra` appended.
    fn errors(extra: &str) -> Vec<(String, String)> {
        errors_in(&format!("{DEMO_CONFIG}\n{extra}"))
    }

    fn errors_in(text: &str) -> Vec<(String, String)> {
        match Config::from_toml(text, "test.toml", &no_env) {
            Ok(_) => Vec::new(),
            Err(e) => e
                .diagnostics
                .into_iter()
                .map(|d| (d.path.to_string(), d.message))
                .collect(),
        }
    }

    #[test]
    fn the_demo_tunes_the_analysis_to_the_simulator() {
        let config =
            Config::from_toml(DEMO_CONFIG, "demo.toml", &no_env).unwrap_or_else(|e| panic!("{e}"));
        let analysis = &config.analysis;
        let thresholds = analysis
            .traps
            .thresholds(steamflow_operators::plant::TrapType::Thermodynamic);
        assert_eq!(thresholds.acoustic_baseline_db, 38.0);
        assert_eq!(thresholds.acoustic_db_per_decade, 15.0);
        assert_eq!(
            analysis.acoustic_baseline("north", "t_digester"),
            Some(46.0)
        );
        assert_eq!(analysis.acoustic_baseline("north", "t_hp_1"), None);
        assert_eq!(analysis.leaks.balance.warmup_windows, 10);
        assert_eq!(analysis.features.moving_average_windows, 5);
        // Written out and read back, the section survives.
        let text = config.to_toml().unwrap_or_else(|e| panic!("{e}"));
        let again = Config::from_toml(&text, "again.toml", &no_env)
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(again.analysis, config.analysis);
    }

    #[test]
    fn invalid_settings_are_reported_at_their_key() {
        let found = errors(
            "[analysis.traps.bimetallic]\nblocked_subcooling_k = 10.0\n\
             [analysis.balance]\nmass_tolerance_pct = -1.0\n\
             [analysis.features]\nmoving_average_windows = 0\n\
             [analysis.acoustic_baselines.south]\nt1 = 40.0\n",
        );
        let paths: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
        assert!(paths.contains(&"analysis.traps.bimetallic"), "{found:?}");
        assert!(
            paths.contains(&"analysis.balance.mass_tolerance_pct"),
            "{found:?}"
        );
        assert!(
            paths.contains(&"analysis.features.moving_average_windows"),
            "{found:?}"
        );
        assert!(
            paths.contains(&"analysis.acoustic_baselines.south"),
            "{found:?}"
        );
    }

    #[test]
    fn unknown_keys_and_traps_are_refused() {
        let found = errors("[analysis.leaks.priority]\nweight = 3\n");
        assert!(
            found
                .iter()
                .any(|(p, m)| p.starts_with("analysis.leaks.priority") && m.contains("weight")),
            "{found:?}"
        );
        let text = DEMO_CONFIG.replacen("t_dryer = 46.0\n", "t_nowhere = 40.0\n", 1);
        let found = errors_in(&text);
        assert_eq!(
            found,
            vec![(
                "analysis.acoustic_baselines.north.t_nowhere".to_owned(),
                "plant `north` has no trap `t_nowhere`".to_owned()
            )]
        );
        let text = DEMO_CONFIG.replacen(
            "[analysis.leaks.acoustic]\n",
            "[analysis.leaks.acoustic]\nclear_windows = 0\n",
            1,
        );
        let found = errors_in(&text);
        assert!(
            found.iter().any(|(p, _)| p == "analysis.leaks.acoustic"),
            "{found:?}"
        );
    }
}
