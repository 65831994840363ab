//! Headers: the distribution mains steam is drawn from.

use super::{AssetKind, Measurand, Tagged};
use crate::units::Pressure;

/// A steam header at one pressure level.
///
/// It is fed by one or more boilers, by one PRV, or by one pipe segment that
/// ends at it; [`super::Network::build`] checks that exactly one applies.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Header {
    /// Unique id within the plant.
    pub id: String,
    /// Design pressure [barg].
    pub design_pressure_barg: f64,
    /// Normal operating pressure (the controlled setpoint) [barg].
    pub operating_pressure_barg: f64,
    /// Design temperature [°C], where the header carries superheated steam.
    #[cfg_attr(feature = "serde", serde(default))]
    pub design_temperature_c: Option<f64>,
    /// Tag of the header pressure.
    #[cfg_attr(feature = "serde", serde(default))]
    pub pressure_tag: Option<String>,
    /// Tag of the header steam temperature.
    #[cfg_attr(feature = "serde", serde(default))]
    pub temperature_tag: Option<String>,
    /// Tag of a flow meter on the header's supply.
    #[cfg_attr(feature = "serde", serde(default))]
    pub flow_tag: Option<String>,
}

impl Header {
    /// Design pressure (absolute).
    pub fn design_pressure(&self) -> Pressure {
        Pressure::from_barg(self.design_pressure_barg)
    }
    /// Operating pressure (absolute).
    pub fn operating_pressure(&self) -> Pressure {
        Pressure::from_barg(self.operating_pressure_barg)
    }
}

impl Tagged for Header {
    const KIND: AssetKind = AssetKind::Header;
    fn id(&self) -> &str {
        &self.id
    }
    fn tag_fields(&self) -> Vec<(&'static str, Option<&str>, Measurand)> {
        vec![
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
            ("flow_tag", self.flow_tag.as_deref(), Measurand::SteamFlow),
        ]
    }
}
