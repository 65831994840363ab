//! Pipe segments of the distribution network.

use super::{AssetKind, Measurand, Tagged};
use crate::units::{Length, ThermalConductivity};

/// A run of pipe between two points of the network.
///
/// `from` is a header or the segment it continues; `to` is a header, a
/// consumer, or absent where other segments continue from its end. Size is a
/// nominal diameter (`nominal_size_dn`, schedule 40) or explicit outer and
/// inner diameters, which win over the nominal size when given.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct PipeSegment {
    /// Unique id within the plant.
    pub id: String,
    /// Upstream end: a header id, or the id of the segment this one continues.
    pub from: String,
    /// Downstream end: a header or consumer id; absent for an interior segment.
    #[cfg_attr(feature = "serde", serde(default))]
    pub to: Option<String>,
    /// Length [m].
    pub length_m: f64,
    /// Nominal size DN (ISO 6708), schedule 40 dimensions.
    #[cfg_attr(feature = "serde", serde(default))]
    pub nominal_size_dn: Option<u16>,
    /// Outer diameter [mm] (overrides the nominal size).
    #[cfg_attr(feature = "serde", serde(default))]
    pub outer_diameter_mm: Option<f64>,
    /// Inner diameter [mm] (overrides the nominal size).
    #[cfg_attr(feature = "serde", serde(default))]
    pub inner_diameter_mm: Option<f64>,
    /// Absolute wall roughness [mm]; 0.045 is commercial steel.
    #[cfg_attr(feature = "serde", serde(default = "default_roughness"))]
    pub roughness_mm: f64,
    /// Insulation thickness [mm]; 0 for bare pipe.
    #[cfg_attr(feature = "serde", serde(default))]
    pub insulation_thickness_mm: f64,
    /// Insulation thermal conductivity [W/(m K)]; 0.04 is mineral wool near 100 °C.
    #[cfg_attr(feature = "serde", serde(default = "default_conductivity"))]
    pub insulation_conductivity_w_m_k: f64,
    /// Emissivity of the outer surface (jacket, or steel when bare).
    #[cfg_attr(feature = "serde", serde(default = "default_emissivity"))]
    pub surface_emissivity: f64,
    /// Height of the outlet above the inlet [m] (negative when it falls).
    #[cfg_attr(feature = "serde", serde(default))]
    pub elevation_change_m: f64,
    /// Sum of the loss coefficients K of its fittings (bends, tees, valves).
    #[cfg_attr(feature = "serde", serde(default))]
    pub fittings_k: f64,
    /// Tag of the inlet pressure.
    #[cfg_attr(feature = "serde", serde(default))]
    pub inlet_pressure_tag: Option<String>,
    /// Tag of the outlet pressure.
    #[cfg_attr(feature = "serde", serde(default))]
    pub outlet_pressure_tag: Option<String>,
    /// Tag of a flow meter on the segment.
    #[cfg_attr(feature = "serde", serde(default))]
    pub flow_tag: Option<String>,
    /// Tag of the outer surface temperature.
    #[cfg_attr(feature = "serde", serde(default))]
    pub surface_temperature_tag: Option<String>,
    /// Tag of an ultrasonic leak sensor along the segment.
    #[cfg_attr(feature = "serde", serde(default))]
    pub acoustic_tag: Option<String>,
}

#[cfg(feature = "serde")]
fn default_roughness() -> f64 {
    0.045
}
#[cfg(feature = "serde")]
fn default_conductivity() -> f64 {
    0.04
}
#[cfg(feature = "serde")]
fn default_emissivity() -> f64 {
    0.9
}

/// Outer diameter and wall thickness [mm] of schedule 40 steel pipe by DN
/// (ASME B36.10M; DN ≥ 300 is the standard-weight wall some tables list as
/// schedule 40 for those sizes).
const SCHEDULE_40: [(u16, f64, f64); 19] = [
    (15, 21.3, 2.77),
    (20, 26.7, 2.87),
    (25, 33.4, 3.38),
    (32, 42.2, 3.56),
    (40, 48.3, 3.68),
    (50, 60.3, 3.91),
    (65, 73.0, 5.16),
    (80, 88.9, 5.49),
    (100, 114.3, 6.02),
    (125, 141.3, 6.55),
    (150, 168.3, 7.11),
    (200, 219.1, 8.18),
    (250, 273.0, 9.27),
    (300, 323.8, 10.31),
    (350, 355.6, 11.13),
    (400, 406.4, 12.70),
    (450, 457.0, 14.27),
    (500, 508.0, 15.09),
    (600, 610.0, 17.48),
];

/// Outer and inner diameter of schedule 40 pipe of nominal size `dn`, if tabulated.
pub fn nominal_pipe(dn: u16) -> Option<(Length, Length)> {
    SCHEDULE_40
        .iter()
        .find(|(size, _, _)| *size == dn)
        .map(|&(_, od, wall)| (Length::from_mm(od), Length::from_mm(od - 2.0 * wall)))
}

/// The nominal sizes [`nominal_pipe`] knows, for error messages.
pub(crate) fn known_nominal_sizes() -> String {
    SCHEDULE_40
        .iter()
        .map(|(dn, _, _)| dn.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

impl PipeSegment {
    /// Length.
    pub fn length(&self) -> Length {
        Length::from_m(self.length_m)
    }

    /// Outer diameter: explicit, else from the nominal size.
    pub fn outer_diameter(&self) -> Option<Length> {
        self.outer_diameter_mm.map(Length::from_mm).or_else(|| {
            self.nominal_size_dn
                .and_then(nominal_pipe)
                .map(|(od, _)| od)
        })
    }

    /// Inner diameter: explicit, else from the nominal size.
    pub fn inner_diameter(&self) -> Option<Length> {
        self.inner_diameter_mm.map(Length::from_mm).or_else(|| {
            self.nominal_size_dn
                .and_then(nominal_pipe)
                .map(|(_, id)| id)
        })
    }

    /// Insulation thickness.
    pub fn insulation_thickness(&self) -> Length {
        Length::from_mm(self.insulation_thickness_mm)
    }

    /// Insulation conductivity.
    pub fn insulation_conductivity(&self) -> ThermalConductivity {
        ThermalConductivity::from_w_per_m_k(self.insulation_conductivity_w_m_k)
    }

    /// Wall roughness.
    pub fn roughness(&self) -> Length {
        Length::from_mm(self.roughness_mm)
    }

    /// Elevation of the outlet above the inlet.
    pub fn elevation_change(&self) -> Length {
        Length::from_m(self.elevation_change_m)
    }

    /// True when the segment has no insulation.
    pub fn is_bare(&self) -> bool {
        self.insulation_thickness_mm <= 0.0
    }
}

impl Tagged for PipeSegment {
    const KIND: AssetKind = AssetKind::Segment;
    fn id(&self) -> &str {
        &self.id
    }
    fn tag_fields(&self) -> Vec<(&'static str, Option<&str>, Measurand)> {
        vec![
            (
                "inlet_pressure_tag",
                self.inlet_pressure_tag.as_deref(),
                Measurand::Pressure,
            ),
            (
                "outlet_pressure_tag",
                self.outlet_pressure_tag.as_deref(),
                Measurand::Pressure,
            ),
            ("flow_tag", self.flow_tag.as_deref(), Measurand::SteamFlow),
            (
                "surface_temperature_tag",
                self.surface_temperature_tag.as_deref(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nominal_sizes_give_schedule_40_bores() {
        let (od, id) = nominal_pipe(100).unwrap_or_default();
        assert!((od.mm() - 114.3).abs() < 1e-9);
        assert!((id.mm() - 102.26).abs() < 1e-9);
        assert!(nominal_pipe(90).is_none());
    }
}
