//! `[analysis.recommendations]`: how candidate projects are costed,
//! appraised and chosen — the budget, the condensate recovery floor, the
//! lowest pressure each header's consumers allow, the weights of the
//! objectives and what repairs cost. Prices come from each plant's
//! `[plants.<id>.economics]`.
//!
//! ```toml
//! [analysis.recommendations]
//! budget = 20000.0                  # plant currency
//! min_condensate_recovery_pct = 70.0
//! top = 5                           # listed at the end of a run
//!
//! [analysis.recommendations.weights]
//! energy = 1.0
//! cost = 1.0
//! co2 = 1.0
//!
//! [analysis.recommendations.costs]
//! trap_repair = 400.0
//! leak_repair_base = 500.0
//! leak_repair_per_mm = 100.0
//!
//! [analysis.recommendations.min_header_pressure_barg.north]
//! lp = 2.5                          # the LP consumers run down to 2.5 barg
//! ```

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use steamflow_decisions::{CostAssumptions, Weights};
use steamflow_operators::economics::SensitivityRanges;

use super::Checker;
use super::diagnostic::KeyPath;

/// The recommendation settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RecommendationConfig {
    /// Most money a portfolio of projects may spend (plant currency).
    pub budget: f64,
    /// Least condensate recovery a portfolio must leave \[%\] (the seed's 70).
    pub min_condensate_recovery_pct: f64,
    /// Recommendations listed at the end of a run.
    pub top: usize,
    /// Weights of energy lost, money spent and CO2 emitted in the choice.
    pub weights: WeightsConfig,
    /// What projects cost.
    pub costs: CostConfig,
    /// ± ranges of the sensitivity (tornado) table \[%\].
    pub sensitivity: SensitivityConfig,
    /// The lowest pressure each header's consumers allow \[barg\], by plant
    /// and header id; a header not listed is never lowered.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub min_header_pressure_barg: IndexMap<String, IndexMap<String, f64>>,
}

impl Default for RecommendationConfig {
    fn default() -> Self {
        RecommendationConfig {
            budget: 20_000.0,
            min_condensate_recovery_pct: 70.0,
            top: 5,
            weights: WeightsConfig::default(),
            costs: CostConfig::default(),
            sensitivity: SensitivityConfig::default(),
            min_header_pressure_barg: IndexMap::new(),
        }
    }
}

/// Objective weights; only their ratios count.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WeightsConfig {
    /// Energy still lost.
    pub energy: f64,
    /// Money spent.
    pub cost: f64,
    /// CO2 still emitted.
    pub co2: f64,
}

impl Default for WeightsConfig {
    fn default() -> Self {
        let w = Weights::default();
        WeightsConfig {
            energy: w.energy,
            cost: w.cost,
            co2: w.co2,
        }
    }
}

impl WeightsConfig {
    /// As the optimizer takes them.
    pub fn weights(&self) -> Weights {
        Weights {
            energy: self.energy,
            cost: self.cost,
            co2: self.co2,
        }
    }
}

/// What projects cost (plant currency), installed.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CostConfig {
    /// Repair or replace one trap.
    pub trap_repair: f64,
    /// Repair a leak: access, isolation, permit.
    pub leak_repair_base: f64,
    /// Repair a leak: per mm of equivalent hole.
    pub leak_repair_per_mm: f64,
    /// Insulation per metre of pipe.
    pub insulation_per_m: f64,
    /// Insulation proposed for bare pipe \[mm\].
    pub insulation_thickness_mm: f64,
    /// Condensate return capacity per kg/h.
    pub condensate_per_kg_h: f64,
    /// Recovery a condensate project aims for \[%\].
    pub condensate_target_pct: f64,
    /// A study and control change to lower a header's pressure.
    pub pressure_change: f64,
}

impl Default for CostConfig {
    fn default() -> Self {
        let c = CostAssumptions::default();
        CostConfig {
            trap_repair: c.trap_repair,
            leak_repair_base: c.leak_repair_base,
            leak_repair_per_mm: c.leak_repair_per_mm,
            insulation_per_m: c.insulation_per_m,
            insulation_thickness_mm: c.insulation_thickness_mm,
            condensate_per_kg_h: c.condensate_per_kg_h,
            condensate_target_pct: c.condensate_target * 100.0,
            pressure_change: c.pressure_change,
        }
    }
}

impl CostConfig {
    /// As the candidate generator takes them.
    pub fn assumptions(&self) -> CostAssumptions {
        CostAssumptions {
            trap_repair: self.trap_repair,
            leak_repair_base: self.leak_repair_base,
            leak_repair_per_mm: self.leak_repair_per_mm,
            insulation_per_m: self.insulation_per_m,
            insulation_thickness_mm: self.insulation_thickness_mm,
            condensate_per_kg_h: self.condensate_per_kg_h,
            condensate_target: self.condensate_target_pct / 100.0,
            pressure_change: self.pressure_change,
        }
    }
}

/// ± ranges of the tornado table \[%\].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SensitivityConfig {
    /// Fuel price ±.
    pub fuel_price_pct: f64,
    /// Operating hours ±.
    pub operating_hours_pct: f64,
    /// Loss estimate ±.
    pub loss_estimate_pct: f64,
}

impl Default for SensitivityConfig {
    fn default() -> Self {
        let r = SensitivityRanges::default();
        SensitivityConfig {
            fuel_price_pct: r.fuel_price * 100.0,
            operating_hours_pct: r.operating_hours * 100.0,
            loss_estimate_pct: r.loss_estimate * 100.0,
        }
    }
}

impl SensitivityConfig {
    /// As fractions.
    pub fn ranges(&self) -> SensitivityRanges {
        SensitivityRanges {
            fuel_price: self.fuel_price_pct / 100.0,
            operating_hours: self.operating_hours_pct / 100.0,
            loss_estimate: self.loss_estimate_pct / 100.0,
        }
    }
}

impl Checker<'_> {
    pub(crate) fn check_recommendations(&mut self, r: &RecommendationConfig) {
        let path = KeyPath::root().key("analysis").key("recommendations");
        self.non_negative_at(path.key("budget"), r.budget);
        self.percent(
            path.key("min_condensate_recovery_pct"),
            r.min_condensate_recovery_pct,
        );
        let w = path.key("weights");
        for (key, v) in [
            ("energy", r.weights.energy),
            ("cost", r.weights.cost),
            ("co2", r.weights.co2),
        ] {
            self.non_negative_at(w.key(key), v);
        }
        let c = path.key("costs");
        for (key, v) in [
            ("trap_repair", r.costs.trap_repair),
            ("leak_repair_base", r.costs.leak_repair_base),
            ("leak_repair_per_mm", r.costs.leak_repair_per_mm),
            ("insulation_per_m", r.costs.insulation_per_m),
            ("insulation_thickness_mm", r.costs.insulation_thickness_mm),
            ("condensate_per_kg_h", r.costs.condensate_per_kg_h),
            ("pressure_change", r.costs.pressure_change),
        ] {
            self.non_negative_at(c.key(key), v);
        }
        self.percent(
            c.key("condensate_target_pct"),
            r.costs.condensate_target_pct,
        );
        let s = path.key("sensitivity");
        for (key, v) in [
            ("fuel_price_pct", r.sensitivity.fuel_price_pct),
            ("operating_hours_pct", r.sensitivity.operating_hours_pct),
            ("loss_estimate_pct", r.sensitivity.loss_estimate_pct),
        ] {
            if !(v.is_finite() && (0.0..100.0).contains(&v)) {
                self.issue(
                    s.key(key),
                    format!("must be at least 0 and below 100, found {v}"),
                );
            }
        }
        for (plant_id, headers) in &r.min_header_pressure_barg {
            let plants = path.key("min_header_pressure_barg");
            let plant = self.plant_reference(&plants.key(plant_id), plant_id);
            for (header, barg) in headers {
                let key = plants.key(plant_id).key(header);
                match plant.and_then(|p| p.headers.iter().find(|h| &h.id == header)) {
                    Some(h)
                        if !(barg.is_finite()
                            && *barg >= -1.0
                            && *barg <= h.design_pressure_barg) =>
                    {
                        self.issue(
                            key,
                            format!(
                                "must be between -1 and the header's design pressure {} barg, found {barg}",
                                h.design_pressure_barg
                            ),
                        );
                    }
                    Some(_) => {}
                    None if plant.is_some() => {
                        self.issue(key, format!("plant `{plant_id}` has no header `{header}`"));
                    }
                    None => {}
                }
            }
        }
    }

    fn non_negative_at(&mut self, key: KeyPath, value: f64) {
        if !(value.is_finite() && value >= 0.0) {
            self.issue(
                key,
                format!("must be a number of at least 0, found {value}"),
            );
        }
    }

    fn percent(&mut self, key: KeyPath, value: f64) {
        if !(value.is_finite() && (0.0..=100.0).contains(&value)) {
            self.issue(key, format!("must be between 0 and 100, found {value}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Config, DEMO_CONFIG};

    /// Errors of the demo with its `[analysis.recommendations]` replaced by `extra`.
    fn errors(extra: &str) -> Vec<(String, String)> {
        let start = DEMO_CONFIG.find("[analysis.recommendations]").unwrap_or(0);
        let end = DEMO_CONFIG.find("[sinks.files]").unwrap_or(0);
        let text = format!("{}{extra}\n{}", &DEMO_CONFIG[..start], &DEMO_CONFIG[end..]);
        match Config::from_toml(&text, "t.toml", &|_: &str| None) {
            Ok(_) => Vec::new(),
            Err(e) => e
                .diagnostics
                .into_iter()
                .map(|d| (d.path.to_string(), d.message))
                .collect(),
        }
    }

    #[test]
    fn the_demo_lets_the_lp_header_run_lower() {
        let config = Config::from_toml(DEMO_CONFIG, "demo.toml", &|_: &str| None)
            .unwrap_or_else(|e| panic!("{e}"));
        let r = &config.analysis.recommendations;
        assert_eq!(r.min_header_pressure_barg["north"]["lp"], 2.5);
        assert_eq!(r.min_condensate_recovery_pct, 70.0);
    }

    #[test]
    fn bad_settings_are_reported_at_their_key() {
        let found = errors(
            "[analysis.recommendations.costs]\ntrap_repair = -5.0\n\
             [analysis.recommendations.weights]\nenergy = -1.0\n\
             [analysis.recommendations.min_header_pressure_barg.south]\nhp = 3.0\n",
        );
        let paths: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
        assert!(
            paths.contains(&"analysis.recommendations.costs.trap_repair"),
            "{found:?}"
        );
        assert!(
            paths.contains(&"analysis.recommendations.weights.energy"),
            "{found:?}"
        );
        assert!(
            paths.contains(&"analysis.recommendations.min_header_pressure_barg.south"),
            "{found:?}"
        );
        let found = errors(
            "[analysis.recommendations.min_header_pressure_barg.north]\nlp = 9.0\nnone = 1.0\n",
        );
        assert!(
            found
                .iter()
                .any(|(p, _)| p == "analysis.recommendations.min_header_pressure_barg.north.lp"),
            "{found:?}"
        );
        assert!(
            found.iter().any(|(p, m)| p
                == "analysis.recommendations.min_header_pressure_barg.north.none"
                && m.contains("no header")),
            "{found:?}"
        );
        let found = errors("[analysis.recommendations]\nbugdet = 1.0\n");
        assert!(found.iter().any(|(_, m)| m.contains("bugdet")), "{found:?}");
    }
}
