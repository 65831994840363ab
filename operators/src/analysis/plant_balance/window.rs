//! One window of a plant's tags, as the balance reads it: the mean of each
//! bound tag, converted from the unit its measurand is read in
//! ([`crate::plant::Measurand::unit`]) to a typed quantity.

use crate::plant::Plant;
use crate::units::{MassFlow, Pressure, Temperature, Velocity};

/// A boiler's tags in one window.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BoilerWindow {
    /// Steam generated.
    pub flow: Option<MassFlow>,
    /// Drum or outlet pressure (absolute).
    pub pressure: Option<Pressure>,
    /// Outlet steam temperature.
    pub temperature: Option<Temperature>,
    /// Feedwater temperature.
    pub feedwater_temperature: Option<Temperature>,
}

/// A header's tags in one window.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct HeaderWindow {
    /// Pressure (absolute).
    pub pressure: Option<Pressure>,
    /// Steam temperature.
    pub temperature: Option<Temperature>,
}

/// A pipe segment's tags in one window.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SegmentWindow {
    /// Inlet pressure (absolute).
    pub inlet_pressure: Option<Pressure>,
    /// Outlet pressure (absolute).
    pub outlet_pressure: Option<Pressure>,
}

/// A consumer's tags in one window.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ConsumerWindow {
    /// Metered steam flow (includes the steam its own traps pass).
    pub flow: Option<MassFlow>,
    /// Inlet pressure (absolute).
    pub pressure: Option<Pressure>,
    /// Inlet steam temperature.
    pub temperature: Option<Temperature>,
}

/// A condensate return's tags in one window.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ReturnWindow {
    /// Condensate returned.
    pub flow: Option<MassFlow>,
    /// Its temperature.
    pub temperature: Option<Temperature>,
}

/// A flash vessel's tags in one window.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FlashVesselWindow {
    /// Vessel pressure (absolute).
    pub pressure: Option<Pressure>,
    /// Flash steam flow to its header.
    pub flash_flow: Option<MassFlow>,
}

/// The window means of one plant's tags, each list in the order of the
/// plant's own list (`boilers[i]` is `plant.boilers[i]`). `None` is a tag
/// that is not bound or had no usable value in the window.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlantWindow {
    /// Air temperature.
    pub ambient_temperature: Option<Temperature>,
    /// Wind speed.
    pub wind_speed: Option<Velocity>,
    /// Per boiler.
    pub boilers: Vec<BoilerWindow>,
    /// Per header.
    pub headers: Vec<HeaderWindow>,
    /// Per pipe segment.
    pub segments: Vec<SegmentWindow>,
    /// Per consumer.
    pub consumers: Vec<ConsumerWindow>,
    /// Per condensate return.
    pub condensate_returns: Vec<ReturnWindow>,
    /// Per flash vessel.
    pub flash_vessels: Vec<FlashVesselWindow>,
}

impl PlantWindow {
    /// The window of `plant` whose tag means `mean` gives (`None` for a tag
    /// without a value). Values are read in their measurand's unit: flows in
    /// kg/h, pressures in barg, temperatures in °C, wind in m/s; NaN and
    /// infinite means count as missing.
    pub fn from_lookup(plant: &Plant, mean: impl Fn(&str) -> Option<f64>) -> PlantWindow {
        let value = |tag: Option<&str>| tag.and_then(&mean).filter(|v| v.is_finite());
        let flow = |tag: Option<&str>| value(tag).map(MassFlow::from_kg_per_h);
        let pressure = |tag: Option<&str>| value(tag).map(Pressure::from_barg);
        let temperature = |tag: Option<&str>| value(tag).map(Temperature::from_celsius);
        PlantWindow {
            ambient_temperature: temperature(plant.ambient.temperature_tag.as_deref()),
            wind_speed: value(plant.ambient.wind_speed_tag.as_deref()).map(Velocity::from_m_per_s),
            boilers: plant
                .boilers
                .iter()
                .map(|b| BoilerWindow {
                    flow: flow(Some(b.flow_tag.as_str())),
                    pressure: pressure(b.pressure_tag.as_deref()),
                    temperature: temperature(b.temperature_tag.as_deref()),
                    feedwater_temperature: temperature(b.feedwater_temperature_tag.as_deref()),
                })
                .collect(),
            headers: plant
                .headers
                .iter()
                .map(|h| HeaderWindow {
                    pressure: pressure(h.pressure_tag.as_deref()),
                    temperature: temperature(h.temperature_tag.as_deref()),
                })
                .collect(),
            segments: plant
                .segments
                .iter()
                .map(|s| SegmentWindow {
                    inlet_pressure: pressure(s.inlet_pressure_tag.as_deref()),
                    outlet_pressure: pressure(s.outlet_pressure_tag.as_deref()),
                })
                .collect(),
            consumers: plant
                .consumers
                .iter()
                .map(|c| ConsumerWindow {
                    flow: flow(c.flow_tag.as_deref()),
                    pressure: pressure(c.pressure_tag.as_deref()),
                    temperature: temperature(c.temperature_tag.as_deref()),
                })
                .collect(),
            condensate_returns: plant
                .condensate_returns
                .iter()
                .map(|r| ReturnWindow {
                    flow: flow(r.flow_tag.as_deref()),
                    temperature: temperature(r.temperature_tag.as_deref()),
                })
                .collect(),
            flash_vessels: plant
                .flash_vessels
                .iter()
                .map(|v| FlashVesselWindow {
                    pressure: pressure(v.pressure_tag.as_deref()),
                    flash_flow: flow(v.flash_flow_tag.as_deref()),
                })
                .collect(),
        }
    }
}
