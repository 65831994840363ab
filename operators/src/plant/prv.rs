//! Pressure reducing valves between headers.

use super::{AssetKind, Measurand, Tagged};
use crate::units::Pressure;

/// A pressure reducing valve station feeding a lower-pressure header from a
/// higher one. Throttling is isenthalpic: the reduced steam is superheated.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Prv {
    /// Unique id within the plant.
    pub id: String,
    /// The upstream header.
    pub from: String,
    /// The downstream header it controls.
    pub to: String,
    /// Downstream pressure setpoint [barg].
    pub setpoint_barg: f64,
    /// Flow capacity at design conditions [kg/h].
    pub capacity_kg_h: f64,
    /// Tag of a flow meter through the valve.
    #[cfg_attr(feature = "serde", serde(default))]
    pub flow_tag: Option<String>,
    /// Tag of the downstream pressure.
    #[cfg_attr(feature = "serde", serde(default))]
    pub outlet_pressure_tag: Option<String>,
}

impl Prv {
    /// The downstream setpoint (absolute).
    pub fn setpoint(&self) -> Pressure {
        Pressure::from_barg(self.setpoint_barg)
    }
}

impl Tagged for Prv {
    const KIND: AssetKind = AssetKind::Prv;
    fn id(&self) -> &str {
        &self.id
    }
    fn tag_fields(&self) -> Vec<(&'static str, Option<&str>, Measurand)> {
        vec![
            ("flow_tag", self.flow_tag.as_deref(), Measurand::SteamFlow),
            (
                "outlet_pressure_tag",
                self.outlet_pressure_tag.as_deref(),
                Measurand::Pressure,
            ),
        ]
    }
}
