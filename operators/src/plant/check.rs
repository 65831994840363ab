//! Consistency checks of a plant model, each issue keyed by the config key
//! it is about.

use std::collections::HashMap;

use super::segment::known_nominal_sizes;
use super::{Network, Plant};

/// One thing wrong with a plant model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlantIssue {
    /// The key it is about, relative to the plant (`traps[3].orifice_mm`).
    pub key: String,
    /// What is wrong, in words.
    pub message: String,
}

#[derive(Default)]
struct Issues(Vec<PlantIssue>);

impl Issues {
    fn push(&mut self, key: String, message: impl Into<String>) {
        self.0.push(PlantIssue {
            key,
            message: message.into(),
        });
    }

    /// `value` must be finite and > 0.
    fn positive(&mut self, key: String, value: f64) {
        if !(value.is_finite() && value > 0.0) {
            self.push(
                key,
                format!("must be a number greater than 0, found {value}"),
            );
        }
    }

    /// `value` must be finite and ≥ 0.
    fn non_negative(&mut self, key: String, value: f64) {
        if !(value.is_finite() && value >= 0.0) {
            self.push(
                key,
                format!("must be a number of at least 0, found {value}"),
            );
        }
    }

    /// `value` must be finite and within `[lo, hi]`.
    fn within(&mut self, key: String, value: f64, lo: f64, hi: f64) {
        if !(value.is_finite() && (lo..=hi).contains(&value)) {
            self.push(key, format!("must be between {lo} and {hi}, found {value}"));
        }
    }

    /// A gauge pressure: finite and above full vacuum.
    fn gauge_pressure(&mut self, key: String, value: f64) {
        self.within(key, value, -1.0, 1000.0);
    }
}

impl Plant {
    /// Every inconsistency of the model, in config order; empty when it is sound.
    pub fn check(&self) -> Vec<PlantIssue> {
        let mut issues = Issues::default();
        self.check_ids(&mut issues);
        self.check_tags(&mut issues);
        self.check_values(&mut issues);
        if let Err(network_issues) = Network::build(self) {
            issues.0.extend(network_issues);
        }
        issues.0
    }

    fn check_ids(&self, issues: &mut Issues) {
        let mut first: HashMap<&str, String> = HashMap::new();
        for (kind, index, id) in self.asset_ids() {
            let key = format!("{}[{index}].id", kind.table());
            if id.trim().is_empty() {
                issues.push(key, "an id must not be empty");
            } else if let Some(previous) = first.get(id) {
                issues.push(
                    key,
                    format!(
                        "id `{id}` is already used by {previous}: ids are unique within a plant"
                    ),
                );
            } else {
                first.insert(id, format!("{}[{index}]", kind.table()));
            }
        }
    }

    fn check_tags(&self, issues: &mut Issues) {
        let mut first: HashMap<&str, String> = HashMap::new();
        for binding in self.tag_bindings() {
            if binding.tag.trim().is_empty() {
                issues.push(binding.key, "a tag must not be empty");
            } else if let Some(previous) = first.get(binding.tag) {
                issues.push(
                    binding.key,
                    format!("tag `{}` is already bound by {previous}", binding.tag),
                );
            } else {
                first.insert(binding.tag, binding.key);
            }
        }
    }

    fn check_values(&self, issues: &mut Issues) {
        issues.within(
            "ambient.design_temperature_c".into(),
            self.ambient.design_temperature_c,
            -60.0,
            60.0,
        );
        issues.within(
            "ambient.design_wind_speed_m_s".into(),
            self.ambient.design_wind_speed_m_s,
            0.0,
            60.0,
        );
        if let Some(economics) = &self.economics {
            if let Some(cost) = economics.steam_cost_per_t {
                issues.non_negative("economics.steam_cost_per_t".into(), cost);
            }
            issues.within(
                "economics.boiler_efficiency_pct".into(),
                economics.boiler_efficiency_pct,
                1.0,
                100.0,
            );
            issues.within(
                "economics.operating_hours_per_year".into(),
                economics.operating_hours_per_year,
                0.0,
                8784.0,
            );
            if let Some(cost) = economics.fuel_cost_per_gj {
                issues.non_negative("economics.fuel_cost_per_gj".into(), cost);
            }
            if let Some(cost) = economics.water_cost_per_m3 {
                issues.non_negative("economics.water_cost_per_m3".into(), cost);
            }
            if let Some(cost) = economics.treatment_cost_per_m3 {
                issues.non_negative("economics.treatment_cost_per_m3".into(), cost);
            }
            issues.within(
                "economics.makeup_pct".into(),
                economics.makeup_pct,
                0.0,
                100.0,
            );
            issues.non_negative(
                "economics.co2_kg_per_gj_fuel".into(),
                economics.co2_kg_per_gj_fuel,
            );
            issues.non_negative(
                "economics.carbon_price_per_t_co2".into(),
                economics.carbon_price_per_t_co2,
            );
            issues.within(
                "economics.discount_rate_pct".into(),
                economics.discount_rate_pct,
                0.0,
                100.0,
            );
            if economics.project_life_years == 0 || economics.project_life_years > 100 {
                issues.push(
                    "economics.project_life_years".into(),
                    "must be 1 to 100 years".to_owned(),
                );
            }
        }
        for (i, b) in self.boilers.iter().enumerate() {
            issues.positive(format!("boilers[{i}].capacity_kg_h"), b.capacity_kg_h);
            issues.gauge_pressure(
                format!("boilers[{i}].design_pressure_barg"),
                b.design_pressure_barg,
            );
            issues.within(
                format!("boilers[{i}].feedwater_temperature_c"),
                b.feedwater_temperature_c,
                0.0,
                300.0,
            );
            if let Some(t) = b.steam_temperature_c {
                issues.within(format!("boilers[{i}].steam_temperature_c"), t, 0.0, 800.0);
            }
        }
        for (i, h) in self.headers.iter().enumerate() {
            issues.gauge_pressure(
                format!("headers[{i}].design_pressure_barg"),
                h.design_pressure_barg,
            );
            issues.gauge_pressure(
                format!("headers[{i}].operating_pressure_barg"),
                h.operating_pressure_barg,
            );
            if h.operating_pressure_barg > h.design_pressure_barg {
                issues.push(
                    format!("headers[{i}].operating_pressure_barg"),
                    format!(
                        "operating pressure {} barg exceeds the design pressure {} barg",
                        h.operating_pressure_barg, h.design_pressure_barg
                    ),
                );
            }
        }
        for (i, p) in self.prvs.iter().enumerate() {
            issues.gauge_pressure(format!("prvs[{i}].setpoint_barg"), p.setpoint_barg);
            issues.positive(format!("prvs[{i}].capacity_kg_h"), p.capacity_kg_h);
            let upstream = self.headers.iter().find(|h| h.id == p.from);
            if let Some(up) = upstream.filter(|up| p.setpoint_barg >= up.operating_pressure_barg) {
                issues.push(
                    format!("prvs[{i}].setpoint_barg"),
                    format!(
                        "setpoint {} barg is not below the upstream header's {} barg",
                        p.setpoint_barg, up.operating_pressure_barg
                    ),
                );
            }
        }
        for (i, s) in self.segments.iter().enumerate() {
            self.check_segment(i, s, issues);
        }
        for (i, c) in self.consumers.iter().enumerate() {
            issues.non_negative(
                format!("consumers[{i}].design_flow_kg_h"),
                c.design_flow_kg_h,
            );
        }
        for (i, t) in self.traps.iter().enumerate() {
            issues.within(format!("traps[{i}].orifice_mm"), t.orifice_mm, 0.1, 100.0);
        }
        for (i, c) in self.condensate_returns.iter().enumerate() {
            issues.gauge_pressure(
                format!("condensate_returns[{i}].receiver_pressure_barg"),
                c.receiver_pressure_barg,
            );
            issues.within(
                format!("condensate_returns[{i}].makeup_water_temperature_c"),
                c.makeup_water_temperature_c,
                0.0,
                100.0,
            );
            if let Some(flow) = c.design_flow_kg_h {
                issues.positive(format!("condensate_returns[{i}].design_flow_kg_h"), flow);
            }
        }
        for (i, f) in self.flash_vessels.iter().enumerate() {
            issues.gauge_pressure(format!("flash_vessels[{i}].pressure_barg"), f.pressure_barg);
            issues.gauge_pressure(
                format!("flash_vessels[{i}].design_pressure_barg"),
                f.design_pressure_barg,
            );
            if f.pressure_barg > f.design_pressure_barg {
                issues.push(
                    format!("flash_vessels[{i}].pressure_barg"),
                    "operating pressure exceeds the design pressure",
                );
            }
        }
    }

    fn check_segment(&self, i: usize, s: &super::PipeSegment, issues: &mut Issues) {
        issues.positive(format!("segments[{i}].length_m"), s.length_m);
        issues.within(
            format!("segments[{i}].roughness_mm"),
            s.roughness_mm,
            0.0,
            10.0,
        );
        issues.non_negative(
            format!("segments[{i}].insulation_thickness_mm"),
            s.insulation_thickness_mm,
        );
        issues.positive(
            format!("segments[{i}].insulation_conductivity_w_m_k"),
            s.insulation_conductivity_w_m_k,
        );
        issues.within(
            format!("segments[{i}].surface_emissivity"),
            s.surface_emissivity,
            0.01,
            1.0,
        );
        issues.within(
            format!("segments[{i}].elevation_change_m"),
            s.elevation_change_m,
            -1000.0,
            1000.0,
        );
        issues.within(
            format!("segments[{i}].fittings_k"),
            s.fittings_k,
            0.0,
            1000.0,
        );
        if let Some(dn) = s
            .nominal_size_dn
            .filter(|dn| super::nominal_pipe(*dn).is_none())
        {
            issues.push(
                format!("segments[{i}].nominal_size_dn"),
                format!(
                    "DN{dn} is not a tabulated nominal size (known: {})",
                    known_nominal_sizes()
                ),
            );
            return;
        }
        if let Some(od) = s.outer_diameter_mm {
            issues.positive(format!("segments[{i}].outer_diameter_mm"), od);
        }
        if let Some(id) = s.inner_diameter_mm {
            issues.positive(format!("segments[{i}].inner_diameter_mm"), id);
        }
        match (s.outer_diameter(), s.inner_diameter()) {
            (Some(od), Some(id)) if id.m() >= od.m() => issues.push(
                format!("segments[{i}].inner_diameter_mm"),
                format!(
                    "inner diameter {} mm is not smaller than the outer diameter {} mm",
                    id.mm(),
                    od.mm()
                ),
            ),
            (Some(_), Some(_)) => {}
            _ => issues.push(
                format!("segments[{i}]"),
                "give `nominal_size_dn`, or both `outer_diameter_mm` and `inner_diameter_mm`",
            ),
        }
    }
}
