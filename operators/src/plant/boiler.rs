//! Boilers: where steam is generated and metered.

use super::{AssetKind, Measurand, Tagged};
use crate::units::{MassFlow, Pressure, Temperature};

/// A steam generator with its generation meter, feeding one header.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Boiler {
    /// Unique id within the plant.
    pub id: String,
    /// The header this boiler feeds.
    pub header: String,
    /// Maximum continuous rating [kg/h].
    pub capacity_kg_h: f64,
    /// Design (safety valve) pressure [barg].
    pub design_pressure_barg: f64,
    /// Outlet steam temperature when superheated [°C]; absent for saturated steam.
    #[cfg_attr(feature = "serde", serde(default))]
    pub steam_temperature_c: Option<f64>,
    /// Feedwater temperature at the economiser inlet [°C].
    #[cfg_attr(feature = "serde", serde(default = "default_feedwater_c"))]
    pub feedwater_temperature_c: f64,
    /// Tag of the steam flow meter (the generation meter).
    pub flow_tag: String,
    /// Tag of the drum / outlet pressure.
    #[cfg_attr(feature = "serde", serde(default))]
    pub pressure_tag: Option<String>,
    /// Tag of the outlet steam temperature.
    #[cfg_attr(feature = "serde", serde(default))]
    pub temperature_tag: Option<String>,
    /// Tag of the feedwater temperature.
    #[cfg_attr(feature = "serde", serde(default))]
    pub feedwater_temperature_tag: Option<String>,
}

#[cfg(feature = "serde")]
fn default_feedwater_c() -> f64 {
    105.0
}

impl Boiler {
    /// Maximum continuous rating.
    pub fn capacity(&self) -> MassFlow {
        MassFlow::from_kg_per_h(self.capacity_kg_h)
    }
    /// Design pressure (absolute).
    pub fn design_pressure(&self) -> Pressure {
        Pressure::from_barg(self.design_pressure_barg)
    }
    /// Feedwater temperature.
    pub fn feedwater_temperature(&self) -> Temperature {
        Temperature::from_celsius(self.feedwater_temperature_c)
    }
}

impl Tagged for Boiler {
    const KIND: AssetKind = AssetKind::Boiler;
    fn id(&self) -> &str {
        &self.id
    }
    fn tag_fields(&self) -> Vec<(&'static str, Option<&str>, Measurand)> {
        vec![
            (
                "flow_tag",
                Some(self.flow_tag.as_str()),
                Measurand::SteamFlow,
            ),
            (
                "pressure_tag",
                self.pressure_tag.as_deref(),
                Measurand::Pressure,
            ),
            (
                "temperature_tag",
                self.temperature_tag.as_deref(),
                Measurand::SteamTemperature,
            ),
            (
                "feedwater_temperature_tag",
                self.feedwater_temperature_tag.as_deref(),
                Measurand::WaterTemperature,
            ),
        ]
    }
}
