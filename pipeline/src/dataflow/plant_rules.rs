//! Validation rules from the plant model: each bound tag's design limits,
//! and the saturation check of every steam temperature measured at an
//! asset that also has a pressure tag.

use steamflow_operators::plant::{LimitFactors, Measurand, Plant};
use steamflow_operators::reading::{PlantId, Tag};

use super::key::{KeyRegistry, TagKey};
use super::validate::{SaturationRule, ValidationConfig};

/// How the plant's tags are checked beyond their design limits.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlantRuleOptions {
    /// Limits as multiples of the design values.
    pub factors: LimitFactors,
    /// How far below saturation a steam temperature may read [K].
    pub saturation_below_k: f64,
    /// The pressure reading used may be at most this far in time from the temperature [ms].
    pub max_pair_age_ms: u64,
}

impl Default for PlantRuleOptions {
    fn default() -> Self {
        PlantRuleOptions {
            factors: LimitFactors::default(),
            saturation_below_k: 5.0,
            max_pair_age_ms: 60_000,
        }
    }
}

impl ValidationConfig {
    /// Adds the rules of every tag `plant` binds (on top of the default
    /// rules), and routes each paired steam temperature with its pressure
    /// tag in `registry`, so both meet on one worker. Call before the
    /// dataflow sees the plant's readings, identically in every process.
    ///
    /// Superheated lines legitimately read above saturation, so only a
    /// temperature below saturation (by more than the band) is flagged.
    pub fn add_plant(
        &mut self,
        registry: &KeyRegistry,
        plant_id: &PlantId,
        plant: &Plant,
        options: &PlantRuleOptions,
    ) {
        let limits = plant.design_limits(&options.factors);
        let bindings = plant.tag_bindings();
        for binding in &bindings {
            let key = TagKey::of(plant_id.as_str(), binding.tag);
            let mut rules = self.tags.get(&key).copied().unwrap_or(self.default_rules);
            if let Some((_, limit)) = limits.iter().find(|(b, _)| b.tag == binding.tag) {
                rules.limits = Some((limit.min, limit.max));
            }
            if binding.measurand == Measurand::SteamTemperature
                && let Some(pressure) = bindings.iter().find(|other| {
                    other.measurand == Measurand::Pressure
                        && other.asset_kind == binding.asset_kind
                        && other.asset_index == binding.asset_index
                })
            {
                rules.saturation = Some(SaturationRule {
                    pressure: TagKey::of(plant_id.as_str(), pressure.tag),
                    below_k: options.saturation_below_k,
                    above_k: None,
                    max_pair_age_ms: options.max_pair_age_ms,
                });
                registry.route_with(plant_id, &Tag::from(binding.tag), &Tag::from(pressure.tag));
            }
            self.tags.insert(key, rules);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use steamflow_operators::plant::Header;

    #[test]
    fn header_tags_get_limits_and_a_saturation_pair() {
        let plant = Plant {
            headers: vec![Header {
                id: "hp".into(),
                design_pressure_barg: 10.0,
                operating_pressure_barg: 9.0,
                design_temperature_c: None,
                pressure_tag: Some("hp.p".into()),
                temperature_tag: Some("hp.t".into()),
                flow_tag: None,
            }],
            ..Plant::default()
        };
        let registry = KeyRegistry::new();
        let north = PlantId::from("north");
        let mut config = ValidationConfig::default();
        config.add_plant(&registry, &north, &plant, &PlantRuleOptions::default());

        let pressure = TagKey::of("north", "hp.p");
        let temperature = TagKey::of("north", "hp.t");
        assert_eq!(config.tags[&pressure].limits, Some((0.0, 12.0)));
        let rule = config.tags[&temperature].saturation.unwrap();
        assert_eq!(rule.pressure, pressure);
        // The temperature is routed with its pressure.
        let entry = registry.intern(&north, &Tag::from("hp.t")).unwrap();
        assert_eq!(entry.route, pressure);
    }
}
