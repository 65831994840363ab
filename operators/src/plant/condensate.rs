//! Condensate returns and flash vessels.

use super::{AssetKind, Measurand, Tagged};
use crate::units::{Pressure, Temperature};

/// A condensate receiver and its return line to the boiler house.
///
/// Condensate arriving at a vented receiver flashes down to the receiver
/// pressure; the flash steam is vented, the liquid is pumped back.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct CondensateReturn {
    /// Unique id within the plant.
    pub id: String,
    /// Receiver pressure [barg]; 0 for a receiver vented to atmosphere.
    #[cfg_attr(feature = "serde", serde(default))]
    pub receiver_pressure_barg: f64,
    /// Design return flow [kg/h].
    #[cfg_attr(feature = "serde", serde(default))]
    pub design_flow_kg_h: Option<f64>,
    /// Temperature of the make-up water that replaces condensate not returned [°C].
    #[cfg_attr(feature = "serde", serde(default = "default_makeup_c"))]
    pub makeup_water_temperature_c: f64,
    /// Tag of the returned condensate flow.
    #[cfg_attr(feature = "serde", serde(default))]
    pub flow_tag: Option<String>,
    /// Tag of the returned condensate temperature.
    #[cfg_attr(feature = "serde", serde(default))]
    pub temperature_tag: Option<String>,
}

#[cfg(feature = "serde")]
fn default_makeup_c() -> f64 {
    15.0
}

impl CondensateReturn {
    /// Receiver pressure (absolute).
    pub fn receiver_pressure(&self) -> Pressure {
        Pressure::from_barg(self.receiver_pressure_barg)
    }
    /// Make-up water temperature.
    pub fn makeup_water_temperature(&self) -> Temperature {
        Temperature::from_celsius(self.makeup_water_temperature_c)
    }
}

impl Tagged for CondensateReturn {
    const KIND: AssetKind = AssetKind::CondensateReturn;
    fn id(&self) -> &str {
        &self.id
    }
    fn tag_fields(&self) -> Vec<(&'static str, Option<&str>, Measurand)> {
        vec![
            (
                "flow_tag",
                self.flow_tag.as_deref(),
                Measurand::CondensateFlow,
            ),
            (
                "temperature_tag",
                self.temperature_tag.as_deref(),
                Measurand::WaterTemperature,
            ),
        ]
    }
}

/// A flash vessel: high-pressure condensate flashes at `pressure_barg`; the
/// flash steam feeds `to_header` (or is vented), the liquid goes on to
/// `condensate_to` (or is drained).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct FlashVessel {
    /// Unique id within the plant.
    pub id: String,
    /// Operating pressure [barg].
    pub pressure_barg: f64,
    /// Design pressure [barg].
    pub design_pressure_barg: f64,
    /// The low-pressure header the flash steam feeds; absent means vented.
    #[cfg_attr(feature = "serde", serde(default))]
    pub to_header: Option<String>,
    /// The condensate return the residual liquid goes to; absent means drained.
    #[cfg_attr(feature = "serde", serde(default))]
    pub condensate_to: Option<String>,
    /// Tag of the vessel pressure.
    #[cfg_attr(feature = "serde", serde(default))]
    pub pressure_tag: Option<String>,
    /// Tag of the flash steam flow.
    #[cfg_attr(feature = "serde", serde(default))]
    pub flash_flow_tag: Option<String>,
}

impl FlashVessel {
    /// Operating pressure (absolute).
    pub fn pressure(&self) -> Pressure {
        Pressure::from_barg(self.pressure_barg)
    }
}

impl Tagged for FlashVessel {
    const KIND: AssetKind = AssetKind::FlashVessel;
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
                "flash_flow_tag",
                self.flash_flow_tag.as_deref(),
                Measurand::SteamFlow,
            ),
        ]
    }
}
