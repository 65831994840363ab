//! The physics the simulator borrows: pipe heat loss and pressure drop from
//! the analysis layer of `steamflow-operators`, steam properties from its
//! IAPWS-IF97, and the orifice flow of leaks and failed traps.
//!
//! The plant model (`model.rs`) calls only the functions of this module, so
//! that the simulated plant and the analyses that judge it rest on the same
//! equations: pipe heat loss, Darcy–Weisbach pressure drop and the
//! isentropic orifice flow of leaks and failed traps all come from
//! `steamflow_operators::analysis`.

use std::fmt;

use steamflow_operators::analysis::heat_loss::{
    Convection, Insulation, PipeHeatLossInput, pipe_heat_loss,
};
use steamflow_operators::analysis::leak::{
    IsentropicExponent, OrificeLeak, SteamCondition, orifice_leak,
};
use steamflow_operators::analysis::pressure_drop::{PipeFlow, pressure_drop};
use steamflow_operators::if97::{self, Saturation, State};
use steamflow_operators::plant::PipeSegment;
use steamflow_operators::transport::steam_viscosity;
use steamflow_operators::units::{
    Length, MassFlow, Power, Pressure, PressureDifference, STANDARD_ATMOSPHERE_PA,
    SpecificEnthalpy, Temperature, Velocity,
};

/// Why a physical quantity could not be computed (a state outside IF97, a
/// calculator refusing its inputs).
#[derive(Clone, Debug, PartialEq)]
pub struct PhysicsError(pub String);

impl fmt::Display for PhysicsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PhysicsError {}

impl From<if97::If97Error> for PhysicsError {
    fn from(error: if97::If97Error) -> Self {
        PhysicsError(error.to_string())
    }
}

impl From<steamflow_operators::analysis::CalcError> for PhysicsError {
    fn from(error: steamflow_operators::analysis::CalcError) -> Self {
        PhysicsError(error.to_string())
    }
}

pub(crate) type Result<T> = std::result::Result<T, PhysicsError>;

/// Discharge coefficient of a sharp-edged hole or trap seat.
pub const DISCHARGE_COEFFICIENT: f64 = 0.7;

/// The standard atmosphere, where leaks and drains discharge.
pub(crate) fn atmosphere() -> Pressure {
    Pressure::from_pa(STANDARD_ATMOSPHERE_PA)
}

/// A segment's dimensions, resolved once.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Geometry {
    pub outer_diameter: Length,
    pub inner_diameter: Length,
    pub length: Length,
    pub roughness: Length,
    pub insulation: Option<Insulation>,
    pub emissivity: f64,
    pub fittings_k: f64,
    pub elevation_change: Length,
}

impl Geometry {
    /// The dimensions of a checked segment (`None` without diameters).
    pub(crate) fn of(segment: &PipeSegment) -> Option<Geometry> {
        Some(Geometry {
            outer_diameter: segment.outer_diameter()?,
            inner_diameter: segment.inner_diameter()?,
            length: segment.length(),
            roughness: segment.roughness(),
            insulation: (!segment.is_bare()).then(|| Insulation {
                thickness: segment.insulation_thickness(),
                conductivity: segment.insulation_conductivity(),
            }),
            emissivity: segment.surface_emissivity,
            fittings_k: segment.fittings_k,
            elevation_change: segment.elevation_change(),
        })
    }
}

/// Heat lost by a segment and its outer surface temperature
/// (`analysis::heat_loss::pipe_heat_loss`: radiation, Churchill–Chu /
/// Churchill–Bernstein convection, insulation conduction).
pub(crate) fn segment_heat_loss(
    geometry: &Geometry,
    fluid: Temperature,
    ambient: Temperature,
    wind: Velocity,
) -> Result<(Power, Temperature)> {
    let input = PipeHeatLossInput {
        fluid_temperature: fluid,
        ambient_temperature: ambient,
        surroundings_temperature: None,
        outer_diameter: geometry.outer_diameter,
        length: geometry.length,
        insulation: geometry.insulation,
        emissivity: geometry.emissivity,
        wind_speed: wind,
        air_pressure: atmosphere(),
        convection: Convection::Correlations,
    };
    let loss = pipe_heat_loss(&input)?;
    Ok((loss.total, loss.surface_temperature))
}

/// Pressure drop of `mass_flow` of steam in `state` through a segment
/// (`analysis::pressure_drop`: Darcy–Weisbach, Colebrook, fittings,
/// elevation). Wet steam flows with the viscosity of its vapour.
pub(crate) fn segment_pressure_drop(
    geometry: &Geometry,
    state: &State,
    mass_flow: MassFlow,
) -> Result<PressureDifference> {
    let elevation_only = || {
        PressureDifference::from_pa(
            state.rho.kg_per_m3()
                * steamflow_operators::analysis::pressure_drop::STANDARD_GRAVITY
                * geometry.elevation_change.m(),
        )
    };
    if mass_flow.kg_per_s() <= 1e-9 {
        return Ok(elevation_only());
    }
    let viscosity = match state.x {
        Some(x) if x < 1.0 => steam_viscosity(&Saturation::at_pressure(state.p)?.vapour)?,
        _ => steam_viscosity(state)?,
    };
    let flow = PipeFlow {
        mass_flow,
        inner_diameter: geometry.inner_diameter,
        length: geometry.length,
        roughness: geometry.roughness,
        density: state.rho,
        viscosity,
        fittings_k: geometry.fittings_k,
        elevation_change: geometry.elevation_change,
        inlet_pressure: Some(state.p),
    };
    Ok(pressure_drop(&flow)?.total)
}

/// Dry saturated steam at `upstream` through a hole or trap seat of
/// `diameter` to `downstream` (`analysis::leak::orifice_leak`: the isentropic
/// orifice equation, choked below the critical pressure ratio, C_d 0.7).
/// No hole, or no pressure difference, passes nothing.
pub(crate) fn saturated_orifice_flow(
    upstream: Pressure,
    downstream: Pressure,
    diameter: Length,
) -> Result<MassFlow> {
    if diameter.m() <= 0.0 || downstream.pa() >= upstream.pa() {
        return Ok(MassFlow::from_kg_per_s(0.0));
    }
    let leak = OrificeLeak {
        upstream_pressure: upstream,
        condition: SteamCondition::DrySaturated,
        downstream_pressure: downstream,
        diameter,
        discharge_coefficient: DISCHARGE_COEFFICIENT,
        exponent: IsentropicExponent::Auto,
    };
    Ok(orifice_leak(&leak)?.mass_flow)
}

/// The diameter of a hole whose area is `fraction` of a hole of `diameter`.
pub(crate) fn partial_opening(diameter: Length, fraction: f64) -> Length {
    Length::from_m(diameter.m() * fraction.clamp(0.0, 1.0).sqrt())
}

/// Saturated liquid and vapour enthalpies and the saturation temperature at a pressure.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct SatPoint {
    pub t: Temperature,
    pub hf: SpecificEnthalpy,
    pub hg: SpecificEnthalpy,
}

impl SatPoint {
    pub(crate) fn at(p: Pressure) -> Result<SatPoint> {
        let sat = Saturation::at_pressure(p)?;
        Ok(SatPoint {
            t: sat.t,
            hf: sat.liquid.h,
            hg: sat.vapour.h,
        })
    }

    /// Latent heat h_g − h_f [J/kg].
    pub(crate) fn hfg(&self) -> f64 {
        self.hg.j_per_kg() - self.hf.j_per_kg()
    }

    /// The vapour fraction of fluid of enthalpy `h` flashed to this pressure,
    /// (h − h_f)/h_fg clamped to 0..1: `analysis::flash`'s fraction, for a
    /// stream that may already carry steam.
    pub(crate) fn flash_fraction(&self, h: SpecificEnthalpy) -> f64 {
        ((h.j_per_kg() - self.hf.j_per_kg()) / self.hfg()).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trap_seat_flow_agrees_with_napier() {
        // Napier: ṁ [lb/s] = A [in²] · p [psia] / 70 for saturated steam; here with C_d 0.7.
        let p = Pressure::from_barg(10.0);
        let d = Length::from_mm(5.0);
        let ours = saturated_orifice_flow(p, atmosphere(), d).map_or(f64::NAN, |m| m.kg_per_s());
        let area_in2 = std::f64::consts::FRAC_PI_4 * d.inch() * d.inch();
        let napier = DISCHARGE_COEFFICIENT * area_in2 * p.psi() / 70.0 * 0.453_592_37;
        assert!(
            (ours / napier - 1.0).abs() < 0.05,
            "{ours} vs Napier {napier}"
        );
    }

    #[test]
    fn partly_open_seats_pass_in_proportion_to_area() {
        let p = Pressure::from_barg(6.0);
        let full = saturated_orifice_flow(p, atmosphere(), Length::from_mm(8.0))
            .map_or(f64::NAN, |m| m.kg_per_s());
        let part =
            saturated_orifice_flow(p, atmosphere(), partial_opening(Length::from_mm(8.0), 0.15))
                .map_or(f64::NAN, |m| m.kg_per_s());
        assert!((part / full - 0.15).abs() < 1e-9);
        let none =
            saturated_orifice_flow(p, p, Length::from_mm(8.0)).map_or(f64::NAN, |m| m.kg_per_s());
        assert_eq!(none, 0.0);
    }

    #[test]
    fn insulated_pipe_loses_less_than_bare() {
        let mut segment = PipeSegment {
            id: "s".into(),
            from: "h".into(),
            to: None,
            length_m: 100.0,
            nominal_size_dn: Some(100),
            outer_diameter_mm: None,
            inner_diameter_mm: None,
            roughness_mm: 0.045,
            insulation_thickness_mm: 50.0,
            insulation_conductivity_w_m_k: 0.04,
            surface_emissivity: 0.9,
            elevation_change_m: 0.0,
            fittings_k: 0.0,
            inlet_pressure_tag: None,
            outlet_pressure_tag: None,
            flow_tag: None,
            surface_temperature_tag: None,
            acoustic_tag: None,
        };
        let loss = |s: &PipeSegment| {
            let g = Geometry::of(s).unwrap_or_else(|| panic!("no geometry"));
            segment_heat_loss(
                &g,
                Temperature::from_celsius(180.0),
                Temperature::from_celsius(20.0),
                Velocity::from_m_per_s(0.0),
            )
            .map(|(q, _)| q.kw())
            .unwrap_or(f64::NAN)
        };
        let insulated = loss(&segment);
        segment.insulation_thickness_mm = 0.0;
        let bare = loss(&segment);
        // DN100 bare at 180 °C in still air at 20 °C: h_rad ≈ 11 and h_conv ≈ 8 W/(m² K)
        // over 0.36 m²/m and 160 K, about 1.1 kW/m; 50 mm of wool cuts it by ~90 %.
        assert!((80.0..130.0).contains(&bare), "{bare}");
        assert!(insulated < 0.15 * bare, "{insulated} vs {bare}");
    }
}
