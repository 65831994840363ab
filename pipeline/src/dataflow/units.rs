//! Unit normalisation at the edge: a reading that names its unit is
//! converted to the unit its tag's measurand is kept in (the plant model's:
//! barg, °C, kg/h, m/s, dB), so every operator after ingest sees one unit
//! per tag.
//!
//! Every unit steamflow reads is affine in the target unit (°F → °C,
//! psig → barg, t/h → kg/h), so a conversion is `a·x + b`, found once per
//! (tag, unit) by converting two values with the unit parser of
//! [`steamflow_operators::units`] and cached. A unit that is not a unit of
//! the tag's measurand makes the reading a dead letter
//! ([`Reason::Unit`](super::Reason::Unit)); readings without a unit, and
//! tags of no known measurand, pass unchanged.

use std::sync::Arc;

use steamflow_operators::plant::{Measurand, Plant};
use steamflow_operators::reading::{PlantId, UnitLabel};
use steamflow_operators::units::{MassFlow, ParseQuantity, Pressure, Temperature, Velocity};

use super::key::{KeyMap, TagKey};

/// The measurand of each tag whose readings are normalised.
#[derive(Clone, Debug, Default)]
pub struct UnitPlan {
    measurands: KeyMap<TagKey, Measurand>,
}

impl UnitPlan {
    /// Normalises `key`'s readings to `measurand`'s unit.
    pub fn with_tag(mut self, key: TagKey, measurand: Measurand) -> Self {
        self.measurands.insert(key, measurand);
        self
    }

    /// Normalises every tag `plant` binds to its measurand's unit.
    pub fn add_plant(&mut self, plant_id: &PlantId, plant: &Plant) {
        for binding in plant.tag_bindings() {
            self.measurands.insert(
                TagKey::of(plant_id.as_str(), binding.tag),
                binding.measurand,
            );
        }
    }

    /// True when no tag is normalised.
    pub fn is_empty(&self) -> bool {
        self.measurands.is_empty()
    }
}

/// `value ↦ scale · value + offset`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Affine {
    scale: f64,
    offset: f64,
}

/// Converts readings of planned tags to their measurand's unit.
pub struct UnitNormaliser {
    plan: Arc<UnitPlan>,
    /// Per (tag, address of the unit string): the unit (held so the address
    /// stays its own) and its conversion, `None` when it is not a unit of
    /// the measurand.
    cache: KeyMap<(TagKey, usize), (UnitLabel, Option<Affine>)>,
}

/// Entries kept before the cache starts over (units are few; fresh strings
/// per reading would otherwise grow it).
const CACHE_LIMIT: usize = 1 << 16;

impl UnitNormaliser {
    /// A normaliser following `plan`.
    pub fn new(plan: Arc<UnitPlan>) -> Self {
        UnitNormaliser {
            plan,
            cache: KeyMap::default(),
        }
    }

    /// The value in the tag's unit; `None` when `unit` is not a unit of
    /// its measurand. Tags outside the plan pass unchanged.
    #[inline]
    pub fn normalise(&mut self, key: TagKey, unit: Option<&UnitLabel>, value: f64) -> Option<f64> {
        let Some(unit) = unit else {
            return Some(value);
        };
        let Some(measurand) = self.plan.measurands.get(&key).copied() else {
            return Some(value);
        };
        let slot = (key, unit.as_str().as_ptr() as usize);
        let conversion = match self.cache.get(&slot) {
            Some((_, conversion)) => *conversion,
            None => {
                let conversion = affine(measurand, unit.as_str());
                if self.cache.len() >= CACHE_LIMIT {
                    self.cache.clear();
                }
                self.cache.insert(slot, (unit.clone(), conversion));
                conversion
            }
        };
        conversion.map(|f| f.scale * value + f.offset)
    }
}

/// The conversion of values in `unit` to `measurand`'s unit, from two points.
fn affine(measurand: Measurand, unit: &str) -> Option<Affine> {
    let convert = |x: f64| -> Option<f64> {
        let text = format!("{x} {unit}");
        match measurand {
            Measurand::SteamFlow | Measurand::CondensateFlow => {
                MassFlow::parse_quantity(&text).ok().map(MassFlow::kg_per_h)
            }
            Measurand::Pressure => Pressure::parse_quantity(&text).ok().map(Pressure::barg),
            Measurand::SteamTemperature
            | Measurand::WaterTemperature
            | Measurand::SurfaceTemperature
            | Measurand::AmbientTemperature => Temperature::parse_quantity(&text)
                .ok()
                .map(Temperature::celsius),
            Measurand::WindSpeed => Velocity::parse_quantity(&text).ok().map(Velocity::m_per_s),
            Measurand::AcousticLevel => {
                let unit = unit.trim();
                (unit.eq_ignore_ascii_case("db") || unit.eq_ignore_ascii_case("dbuv")).then_some(x)
            }
        }
    };
    // Two points above any physical floor (vacuum, absolute zero) of the
    // units in use.
    let (one, two) = (convert(1000.0)?, convert(2000.0)?);
    let scale = (two - one) / 1000.0;
    let affine = Affine {
        scale,
        offset: one - 1000.0 * scale,
    };
    (affine.scale.is_finite() && affine.offset.is_finite()).then_some(affine)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normaliser() -> UnitNormaliser {
        let plan = UnitPlan::default()
            .with_tag(TagKey(1), Measurand::Pressure)
            .with_tag(TagKey(2), Measurand::SteamTemperature)
            .with_tag(TagKey(3), Measurand::SteamFlow);
        UnitNormaliser::new(Arc::new(plan))
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9 * b.abs().max(1.0))
    }

    #[test]
    fn units_convert_to_the_measurands_unit() {
        let mut n = normaliser();
        let unit = |u: &str| UnitLabel::from(u);
        assert!(close(
            n.normalise(TagKey(1), Some(&unit("barg")), 10.0),
            10.0
        ));
        // 1 bar absolute is 1 − 1.01325 barg.
        assert!(close(
            n.normalise(TagKey(1), Some(&unit("bar")), 1.0),
            -0.01325
        ));
        assert!(close(
            n.normalise(TagKey(2), Some(&unit("°F")), 212.0),
            100.0
        ));
        assert!(close(
            n.normalise(TagKey(2), Some(&unit("K")), 373.15),
            100.0
        ));
        assert!(close(
            n.normalise(TagKey(3), Some(&unit("t/h")), 2.5),
            2500.0
        ));
        assert_eq!(n.normalise(TagKey(3), Some(&unit("°C")), 1.0), None);
        assert_eq!(n.normalise(TagKey(2), Some(&unit("barg")), 1.0), None);
        // No unit, or a tag outside the plan: unchanged.
        assert_eq!(n.normalise(TagKey(3), None, 7.0), Some(7.0));
        assert_eq!(
            n.normalise(TagKey(9), Some(&unit("furlong")), 7.0),
            Some(7.0)
        );
    }

    #[test]
    fn cached_conversions_follow_the_unit_string() {
        let mut n = normaliser();
        let fahrenheit = UnitLabel::from("°F");
        for _ in 0..3 {
            assert!(close(n.normalise(TagKey(2), Some(&fahrenheit), 32.0), 0.0));
        }
        let kelvin = UnitLabel::from("K");
        assert!(close(n.normalise(TagKey(2), Some(&kelvin), 273.15), 0.0));
        assert_eq!(n.cache.len(), 2);
    }
}
