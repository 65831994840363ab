//! Steam traps.

use std::fmt;

use super::{AssetKind, Measurand, Tagged};
use crate::units::{Area, Length};

/// The working principle of a steam trap. It decides how a healthy trap
/// behaves (how far it subcools condensate, whether it discharges
/// continuously or in bursts), so classification thresholds are set per type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum TrapType {
    /// Thermodynamic (disc): cyclic, discharges near saturation.
    Thermodynamic,
    /// Float & thermostatic: continuous, discharges at saturation.
    FloatThermostatic,
    /// Inverted bucket: intermittent, discharges near saturation.
    InvertedBucket,
    /// Balanced-pressure thermostatic: holds condensate back until subcooled.
    Thermostatic,
    /// Bimetallic thermostatic: subcools more than balanced-pressure types.
    Bimetallic,
    /// Fixed orifice / venturi: no moving parts, continuous.
    FixedOrifice,
}

impl TrapType {
    /// Every trap type, in declaration order.
    pub const ALL: [TrapType; 6] = [
        TrapType::Thermodynamic,
        TrapType::FloatThermostatic,
        TrapType::InvertedBucket,
        TrapType::Thermostatic,
        TrapType::Bimetallic,
        TrapType::FixedOrifice,
    ];

    /// The snake_case name used in configs.
    pub fn as_str(self) -> &'static str {
        match self {
            TrapType::Thermodynamic => "thermodynamic",
            TrapType::FloatThermostatic => "float_thermostatic",
            TrapType::InvertedBucket => "inverted_bucket",
            TrapType::Thermostatic => "thermostatic",
            TrapType::Bimetallic => "bimetallic",
            TrapType::FixedOrifice => "fixed_orifice",
        }
    }

    /// True for types that hold condensate back until it is subcooled.
    pub fn subcools(self) -> bool {
        matches!(self, TrapType::Thermostatic | TrapType::Bimetallic)
    }

    /// True for types that discharge in bursts rather than continuously.
    pub fn is_cyclic(self) -> bool {
        matches!(
            self,
            TrapType::Thermodynamic
                | TrapType::InvertedBucket
                | TrapType::Thermostatic
                | TrapType::Bimetallic
        )
    }
}

impl fmt::Display for TrapType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A steam trap, on a main (a drip leg on `segment`) or draining a `consumer`.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Trap {
    /// Unique id within the plant.
    pub id: String,
    /// Working principle.
    pub trap_type: TrapType,
    /// The pipe segment whose drip leg it drains.
    #[cfg_attr(feature = "serde", serde(default))]
    pub segment: Option<String>,
    /// The consumer it drains.
    #[cfg_attr(feature = "serde", serde(default))]
    pub consumer: Option<String>,
    /// Diameter of the discharge orifice (seat) [mm]: sets the steam loss when it fails open.
    pub orifice_mm: f64,
    /// Condensate return or flash vessel it discharges to; absent means to drain.
    #[cfg_attr(feature = "serde", serde(default))]
    pub discharge_to: Option<String>,
    /// Tag of the inlet pipe temperature.
    #[cfg_attr(feature = "serde", serde(default))]
    pub inlet_temperature_tag: Option<String>,
    /// Tag of the outlet pipe temperature.
    #[cfg_attr(feature = "serde", serde(default))]
    pub outlet_temperature_tag: Option<String>,
    /// Tag of the ultrasonic / acoustic level.
    #[cfg_attr(feature = "serde", serde(default))]
    pub acoustic_tag: Option<String>,
}

impl Trap {
    /// Orifice diameter.
    pub fn orifice(&self) -> Length {
        Length::from_mm(self.orifice_mm)
    }
    /// Orifice flow area, π d² / 4.
    pub fn orifice_area(&self) -> Area {
        let d = self.orifice().m();
        Area::from_m2(std::f64::consts::FRAC_PI_4 * d * d)
    }
}

impl Tagged for Trap {
    const KIND: AssetKind = AssetKind::Trap;
    fn id(&self) -> &str {
        &self.id
    }
    fn tag_fields(&self) -> Vec<(&'static str, Option<&str>, Measurand)> {
        vec![
            (
                "inlet_temperature_tag",
                self.inlet_temperature_tag.as_deref(),
                Measurand::SurfaceTemperature,
            ),
            (
                "outlet_temperature_tag",
                self.outlet_temperature_tag.as_deref(),
                Measurand::SurfaceTemperature,
            ),
            (
                "acoustic_tag",
                self.acoustic_tag.as_deref(),
                Measurand::AcousticLevel,
            ),
        ]
    }
}
