//! Consumers: the process users of steam.

use super::{AssetKind, Measurand, Tagged};
use crate::units::MassFlow;

/// A steam user (heat exchanger, process, tracing), fed either straight from
/// a header (`header`) or by the pipe segment whose `to` names it.
///
/// Its steam condenses in it; the condensate leaves through its traps (each
/// trap's `discharge_to`) or, with no trap modelled, goes to `condensate_to`.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Consumer {
    /// Unique id within the plant.
    pub id: String,
    /// The header it draws from directly, when no pipe segment is modelled.
    #[cfg_attr(feature = "serde", serde(default))]
    pub header: Option<String>,
    /// Design steam demand [kg/h].
    pub design_flow_kg_h: f64,
    /// Where its condensate goes when it has no trap of its own: a condensate
    /// return or flash vessel id; absent means drained to waste.
    #[cfg_attr(feature = "serde", serde(default))]
    pub condensate_to: Option<String>,
    /// Tag of its steam flow meter.
    #[cfg_attr(feature = "serde", serde(default))]
    pub flow_tag: Option<String>,
    /// Tag of the steam pressure at its inlet.
    #[cfg_attr(feature = "serde", serde(default))]
    pub pressure_tag: Option<String>,
    /// Tag of the steam temperature at its inlet.
    #[cfg_attr(feature = "serde", serde(default))]
    pub temperature_tag: Option<String>,
}

impl Consumer {
    /// Design steam demand.
    pub fn design_flow(&self) -> MassFlow {
        MassFlow::from_kg_per_h(self.design_flow_kg_h)
    }
}

impl Tagged for Consumer {
    const KIND: AssetKind = AssetKind::Consumer;
    fn id(&self) -> &str {
        &self.id
    }
    fn tag_fields(&self) -> Vec<(&'static str, Option<&str>, Measurand)> {
        vec![
            ("flow_tag", self.flow_tag.as_deref(), Measurand::SteamFlow),
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
        ]
    }
}
