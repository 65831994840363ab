//! The plant asset model: what a steam system is made of, and which tag
//! measures what.
//!
//! A [`Plant`] lists its boilers (generation meters), headers, pressure
//! reducing valves, pipe segments, consumers, steam traps, condensate returns
//! and flash vessels. Assets refer to each other by id (ids are unique within
//! a plant, whatever the kind) and name the tags that measure them; every
//! tag is bound to one asset and one measurand ([`Plant::tag_bindings`]).
//!
//! Values with units keep the config convention of unit-suffixed names
//! (`design_pressure_barg`, `length_m`, `orifice_mm`); accessors return the
//! typed quantities of [`crate::units`].
//!
//! [`Plant::check`] finds every inconsistency (unknown references, a header
//! fed twice, a pipe network that is not a tree fed from a boiler, a tag
//! bound twice, impossible dimensions) and [`Network::build`] resolves the
//! references into the flow network that analysis and simulation walk.

mod boiler;
mod check;
mod condensate;
mod consumer;
mod header;
mod limits;
mod network;
mod prv;
mod segment;
mod trap;

pub use boiler::Boiler;
pub use check::PlantIssue;
pub use condensate::{CondensateReturn, FlashVessel};
pub use consumer::Consumer;
pub use header::Header;
pub use limits::{DesignLimits, LimitFactors};
pub use network::{
    Discharge, Feed, HeaderSupply, Network, SegmentEnd, SegmentStart, TrapSite, Visit,
};
pub use prv::Prv;
pub use segment::{PipeSegment, nominal_pipe};
pub use trap::{Trap, TrapType};

use crate::units::Temperature;

/// A steam plant: its assets and the tags bound to them.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Plant {
    /// A display name ("North site steam system").
    #[cfg_attr(feature = "serde", serde(default))]
    pub name: Option<String>,
    /// Ambient conditions around the pipework.
    #[cfg_attr(feature = "serde", serde(default))]
    pub ambient: Ambient,
    /// What steam, fuel and water cost here.
    #[cfg_attr(feature = "serde", serde(default))]
    pub economics: Option<Economics>,
    /// Steam generators and their meters.
    #[cfg_attr(feature = "serde", serde(default))]
    pub boilers: Vec<Boiler>,
    /// Distribution headers.
    #[cfg_attr(feature = "serde", serde(default))]
    pub headers: Vec<Header>,
    /// Pressure reducing valves between headers.
    #[cfg_attr(feature = "serde", serde(default))]
    pub prvs: Vec<Prv>,
    /// Pipe segments of the distribution network.
    #[cfg_attr(feature = "serde", serde(default))]
    pub segments: Vec<PipeSegment>,
    /// Steam users.
    #[cfg_attr(feature = "serde", serde(default))]
    pub consumers: Vec<Consumer>,
    /// Steam traps on mains (drip legs) and on consumers.
    #[cfg_attr(feature = "serde", serde(default))]
    pub traps: Vec<Trap>,
    /// Condensate receivers and return lines.
    #[cfg_attr(feature = "serde", serde(default))]
    pub condensate_returns: Vec<CondensateReturn>,
    /// Flash vessels recovering flash steam into a low-pressure header.
    #[cfg_attr(feature = "serde", serde(default))]
    pub flash_vessels: Vec<FlashVessel>,
}

/// Ambient conditions: design values, and tags where they are measured.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Ambient {
    /// Air temperature assumed when no tag reports it [°C].
    #[cfg_attr(feature = "serde", serde(default = "default_ambient_c"))]
    pub design_temperature_c: f64,
    /// Wind speed assumed when no tag reports it [m/s]; 0 is still air (indoors).
    #[cfg_attr(feature = "serde", serde(default))]
    pub design_wind_speed_m_s: f64,
    /// Tag of the measured air temperature.
    #[cfg_attr(feature = "serde", serde(default))]
    pub temperature_tag: Option<String>,
    /// Tag of the measured wind speed.
    #[cfg_attr(feature = "serde", serde(default))]
    pub wind_speed_tag: Option<String>,
}

#[cfg(feature = "serde")]
fn default_ambient_c() -> f64 {
    20.0
}

impl Default for Ambient {
    fn default() -> Self {
        Ambient {
            design_temperature_c: 20.0,
            design_wind_speed_m_s: 0.0,
            temperature_tag: None,
            wind_speed_tag: None,
        }
    }
}

impl Ambient {
    /// The design air temperature.
    pub fn design_temperature(&self) -> Temperature {
        Temperature::from_celsius(self.design_temperature_c)
    }
}

/// What steam, fuel, water and carbon cost at this plant, and how projects
/// that save steam are appraised.
///
/// The cost of a tonne of steam is `steam_cost_per_t` when the plant's
/// accounts state it; otherwise it is computed from the fuel price, the
/// boiler efficiency, make-up water, its treatment and the carbon price
/// ([`crate::economics::plant_steam_cost`]).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Economics {
    /// ISO 4217 code of every money figure ("USD", "EUR").
    #[cfg_attr(feature = "serde", serde(default = "default_currency"))]
    pub currency: String,
    /// Full cost of one tonne of steam delivered to the header, when known;
    /// absent, it is computed from the fuel and water prices below.
    #[cfg_attr(feature = "serde", serde(default))]
    pub steam_cost_per_t: Option<f64>,
    /// Fuel price per GJ of fuel energy (lower heating value).
    #[cfg_attr(feature = "serde", serde(default))]
    pub fuel_cost_per_gj: Option<f64>,
    /// Boiler efficiency (fuel to steam) [%].
    #[cfg_attr(feature = "serde", serde(default = "default_boiler_efficiency"))]
    pub boiler_efficiency_pct: f64,
    /// Make-up water per m³ (a m³ is taken as a tonne).
    #[cfg_attr(feature = "serde", serde(default))]
    pub water_cost_per_m3: Option<f64>,
    /// Chemical treatment of make-up water per m³.
    #[cfg_attr(feature = "serde", serde(default))]
    pub treatment_cost_per_m3: Option<f64>,
    /// Share of each tonne of steam raised from make-up water [%]. 100 (the
    /// default) prices a tonne *lost* at its full replacement.
    #[cfg_attr(feature = "serde", serde(default = "default_makeup_pct"))]
    pub makeup_pct: f64,
    /// CO2 emitted per GJ of fuel [kg/GJ]; the default 56.1 is natural gas
    /// (IPCC 2006 Guidelines, vol. 2, table 2.2).
    #[cfg_attr(feature = "serde", serde(default = "default_co2_factor"))]
    pub co2_kg_per_gj_fuel: f64,
    /// Carbon price per tonne of CO2 (an emission allowance or a tax).
    #[cfg_attr(feature = "serde", serde(default))]
    pub carbon_price_per_t_co2: f64,
    /// Hours a year the system is under steam, to annualise losses.
    #[cfg_attr(feature = "serde", serde(default = "default_hours"))]
    pub operating_hours_per_year: f64,
    /// Discount rate of project appraisal [% a year].
    #[cfg_attr(feature = "serde", serde(default = "default_discount_rate_pct"))]
    pub discount_rate_pct: f64,
    /// Years over which a repair or project is appraised.
    #[cfg_attr(feature = "serde", serde(default = "default_project_life_years"))]
    pub project_life_years: u32,
}

impl Default for Economics {
    /// USD, no prices, 85 % boiler efficiency, natural gas, 8760 h a year,
    /// appraisal at 8 % over 5 years.
    fn default() -> Self {
        Economics {
            currency: "USD".to_owned(),
            steam_cost_per_t: None,
            fuel_cost_per_gj: None,
            boiler_efficiency_pct: 85.0,
            water_cost_per_m3: None,
            treatment_cost_per_m3: None,
            makeup_pct: 100.0,
            co2_kg_per_gj_fuel: crate::economics::steam_cost::CO2_NATURAL_GAS_KG_PER_GJ,
            carbon_price_per_t_co2: 0.0,
            operating_hours_per_year: 8760.0,
            discount_rate_pct: 8.0,
            project_life_years: 5,
        }
    }
}

#[cfg(feature = "serde")]
fn default_currency() -> String {
    "USD".to_owned()
}
#[cfg(feature = "serde")]
fn default_boiler_efficiency() -> f64 {
    85.0
}
#[cfg(feature = "serde")]
fn default_hours() -> f64 {
    8760.0
}
#[cfg(feature = "serde")]
fn default_makeup_pct() -> f64 {
    100.0
}
#[cfg(feature = "serde")]
fn default_co2_factor() -> f64 {
    crate::economics::steam_cost::CO2_NATURAL_GAS_KG_PER_GJ
}
#[cfg(feature = "serde")]
fn default_discount_rate_pct() -> f64 {
    8.0
}
#[cfg(feature = "serde")]
fn default_project_life_years() -> u32 {
    5
}

/// The kinds of asset a plant is made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AssetKind {
    /// The plant itself (ambient tags).
    Plant,
    /// A boiler / generation meter.
    Boiler,
    /// A header.
    Header,
    /// A pressure reducing valve.
    Prv,
    /// A pipe segment.
    Segment,
    /// A consumer.
    Consumer,
    /// A steam trap.
    Trap,
    /// A condensate return.
    CondensateReturn,
    /// A flash vessel.
    FlashVessel,
}

impl AssetKind {
    /// The config table that lists assets of this kind (`"traps"`).
    pub fn table(self) -> &'static str {
        match self {
            AssetKind::Plant => "ambient",
            AssetKind::Boiler => "boilers",
            AssetKind::Header => "headers",
            AssetKind::Prv => "prvs",
            AssetKind::Segment => "segments",
            AssetKind::Consumer => "consumers",
            AssetKind::Trap => "traps",
            AssetKind::CondensateReturn => "condensate_returns",
            AssetKind::FlashVessel => "flash_vessels",
        }
    }
}

/// What a tag measures, with the unit steamflow expects it in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Measurand {
    /// Steam mass flow [kg/h].
    SteamFlow,
    /// Condensate (liquid) mass flow [kg/h].
    CondensateFlow,
    /// Gauge pressure [barg].
    Pressure,
    /// Steam temperature [°C].
    SteamTemperature,
    /// Condensate or feedwater temperature [°C].
    WaterTemperature,
    /// Temperature of a trap's inlet or outlet pipe, or a pipe surface [°C].
    SurfaceTemperature,
    /// Air temperature [°C].
    AmbientTemperature,
    /// Ultrasonic / acoustic level [dB].
    AcousticLevel,
    /// Wind speed [m/s].
    WindSpeed,
}

impl Measurand {
    /// The unit readings of this measurand are expected in.
    pub fn unit(self) -> &'static str {
        match self {
            Measurand::SteamFlow | Measurand::CondensateFlow => "kg/h",
            Measurand::Pressure => "barg",
            Measurand::SteamTemperature
            | Measurand::WaterTemperature
            | Measurand::SurfaceTemperature
            | Measurand::AmbientTemperature => "°C",
            Measurand::AcousticLevel => "dB",
            Measurand::WindSpeed => "m/s",
        }
    }
}

/// One tag bound to one asset: what the plant model says a tag means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagBinding<'a> {
    /// The tag.
    pub tag: &'a str,
    /// The kind of asset it measures.
    pub asset_kind: AssetKind,
    /// The asset's index in its list (0 for the plant's ambient tags).
    pub asset_index: usize,
    /// The asset's id ("" for the plant's ambient tags).
    pub asset_id: &'a str,
    /// What it measures.
    pub measurand: Measurand,
    /// The key that binds it, relative to the plant (`traps[3].inlet_temperature_tag`).
    pub key: String,
}

/// An asset that names the tags measuring it.
pub(crate) trait Tagged {
    /// Its kind.
    const KIND: AssetKind;
    /// Its id.
    fn id(&self) -> &str;
    /// Each tag field: its key, its value if set, and what it measures.
    fn tag_fields(&self) -> Vec<(&'static str, Option<&str>, Measurand)>;
}

fn bind_all<'a, T: Tagged>(assets: &'a [T], out: &mut Vec<TagBinding<'a>>) {
    for (index, asset) in assets.iter().enumerate() {
        for (field, tag, measurand) in asset.tag_fields() {
            if let Some(tag) = tag {
                out.push(TagBinding {
                    tag,
                    asset_kind: T::KIND,
                    asset_index: index,
                    asset_id: asset.id(),
                    measurand,
                    key: format!("{}[{index}].{field}", T::KIND.table()),
                });
            }
        }
    }
}

impl Plant {
    /// Every tag binding of the plant, in config order.
    pub fn tag_bindings(&self) -> Vec<TagBinding<'_>> {
        let mut out = Vec::new();
        let ambient = [
            (
                "temperature_tag",
                self.ambient.temperature_tag.as_deref(),
                Measurand::AmbientTemperature,
            ),
            (
                "wind_speed_tag",
                self.ambient.wind_speed_tag.as_deref(),
                Measurand::WindSpeed,
            ),
        ];
        for (field, tag, measurand) in ambient {
            if let Some(tag) = tag {
                out.push(TagBinding {
                    tag,
                    asset_kind: AssetKind::Plant,
                    asset_index: 0,
                    asset_id: "",
                    measurand,
                    key: format!("ambient.{field}"),
                });
            }
        }
        bind_all(&self.boilers, &mut out);
        bind_all(&self.headers, &mut out);
        bind_all(&self.prvs, &mut out);
        bind_all(&self.segments, &mut out);
        bind_all(&self.consumers, &mut out);
        bind_all(&self.traps, &mut out);
        bind_all(&self.condensate_returns, &mut out);
        bind_all(&self.flash_vessels, &mut out);
        out
    }

    /// Every asset id with its kind, index and key (`"traps[3].id"`), in config order.
    pub fn asset_ids(&self) -> Vec<(AssetKind, usize, &str)> {
        let mut out = Vec::new();
        push_ids(&self.boilers, &mut out);
        push_ids(&self.headers, &mut out);
        push_ids(&self.prvs, &mut out);
        push_ids(&self.segments, &mut out);
        push_ids(&self.consumers, &mut out);
        push_ids(&self.traps, &mut out);
        push_ids(&self.condensate_returns, &mut out);
        push_ids(&self.flash_vessels, &mut out);
        out
    }
}

fn push_ids<'a, T: Tagged>(assets: &'a [T], out: &mut Vec<(AssetKind, usize, &'a str)>) {
    out.extend(
        assets
            .iter()
            .enumerate()
            .map(|(index, asset)| (T::KIND, index, asset.id())),
    );
}

#[cfg(test)]
mod tests;
