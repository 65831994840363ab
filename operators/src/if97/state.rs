//! The public state of water or steam, and how a located point becomes one.

use super::constants::P_SAT_623;
use super::error::Result;
use super::props::Props;
use super::{region1, region2, region3, region3_vpt, region5};
use crate::units::{
    Density, Pressure, SpecificEnthalpy, SpecificEntropy, SpecificHeatCapacity, SpecificVolume,
    Temperature, Velocity,
};

/// The IAPWS-IF97 region a state lies in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Region {
    /// Region 1: compressed (subcooled) liquid.
    R1 = 1,
    /// Region 2: superheated (and metastable) vapour.
    R2 = 2,
    /// Region 3: the critical region, above 623.15 K between regions 1 and 2.
    R3 = 3,
    /// Region 4: the saturation line and the two-phase region below it.
    R4 = 4,
    /// Region 5: high-temperature steam, 1073.15 K to 2273.15 K.
    R5 = 5,
}

impl Region {
    /// The region's number in the release, 1 to 5.
    pub fn number(self) -> u8 {
        self as u8
    }

    /// A plain-words name of the region.
    pub fn describe(self) -> &'static str {
        match self {
            Region::R1 => "compressed liquid",
            Region::R2 => "superheated vapour",
            Region::R3 => "critical region",
            Region::R4 => "two-phase (wet steam)",
            Region::R5 => "high-temperature steam",
        }
    }
}

/// A thermodynamic state of water or steam with all IF97 properties.
///
/// In the two-phase region (region 4) `x` is the dryness fraction and the
/// derivative properties cp, cv and w are not defined (`None`); outside it
/// `x` is `None`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct State {
    /// Region of IF97 the state lies in.
    pub region: Region,
    /// Absolute pressure.
    pub p: Pressure,
    /// Temperature.
    pub t: Temperature,
    /// Specific volume.
    pub v: SpecificVolume,
    /// Density, 1/v.
    pub rho: Density,
    /// Specific internal energy.
    pub u: SpecificEnthalpy,
    /// Specific enthalpy.
    pub h: SpecificEnthalpy,
    /// Specific entropy.
    pub s: SpecificEntropy,
    /// Specific isobaric heat capacity (single phase only).
    pub cp: Option<SpecificHeatCapacity>,
    /// Specific isochoric heat capacity (single phase only).
    pub cv: Option<SpecificHeatCapacity>,
    /// Speed of sound (single phase only).
    pub w: Option<Velocity>,
    /// Dryness fraction, 0 (saturated liquid) to 1 (saturated vapour), in region 4 only.
    pub x: Option<f64>,
}

impl State {
    /// Wraps one region's property set in typed quantities.
    pub(crate) fn single_phase(region: Region, props: &Props) -> State {
        State {
            region,
            p: Pressure::from_mpa(props.p),
            t: Temperature::from_kelvin(props.t),
            v: SpecificVolume::from_m3_per_kg(props.v),
            rho: Density::from_kg_per_m3(1.0 / props.v),
            u: SpecificEnthalpy::from_kj_per_kg(props.u),
            h: SpecificEnthalpy::from_kj_per_kg(props.h),
            s: SpecificEntropy::from_kj_per_kg_k(props.s),
            cp: Some(SpecificHeatCapacity::from_kj_per_kg_k(props.cp)),
            cv: Some(SpecificHeatCapacity::from_kj_per_kg_k(props.cv)),
            w: Some(Velocity::from_m_per_s(props.w)),
            x: None,
        }
    }

    /// A wet-steam state mixed from saturated liquid and vapour by dryness `x`.
    pub(crate) fn two_phase(p: f64, t: f64, x: f64, liquid: &Props, vapour: &Props) -> State {
        let mix = |l: f64, g: f64| l + x * (g - l);
        let v = mix(liquid.v, vapour.v);
        State {
            region: Region::R4,
            p: Pressure::from_mpa(p),
            t: Temperature::from_kelvin(t),
            v: SpecificVolume::from_m3_per_kg(v),
            rho: Density::from_kg_per_m3(1.0 / v),
            u: SpecificEnthalpy::from_kj_per_kg(mix(liquid.u, vapour.u)),
            h: SpecificEnthalpy::from_kj_per_kg(mix(liquid.h, vapour.h)),
            s: SpecificEntropy::from_kj_per_kg_k(mix(liquid.s, vapour.s)),
            cp: None,
            cv: None,
            w: None,
            x: Some(x),
        }
    }
}

/// A point located by one of the solvers, before its properties are evaluated.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Point {
    /// Regions 1, 2 and 5 are functions of (p, T).
    PT { region: Region, p: f64, t: f64 },
    /// Region 3 is a function of (ρ, T).
    RhoT { rho: f64, t: f64 },
    /// Region 4: pressure and temperature on the saturation line, and dryness.
    TwoPhase { p: f64, t: f64, x: f64 },
}

/// Whether the saturated phases at pressure `p` come from regions 1 and 2
/// (p ≤ psat(623.15 K)) rather than from region 3.
///
/// Every solver that puts a point on the saturation line takes its saturated
/// h or s from the same side as [`saturated_props`] does, by this one test,
/// so a wet state reproduces the h or s it was located from. The test is on
/// pressure because the solvers start from it: a temperature test would
/// disagree within round-off of the corner, as eq. 31 gives
/// Tsat(psat(623.15 K)) = 623.150 000 000 002 K.
pub(crate) fn saturated_from_regions_1_and_2(p: f64) -> bool {
    p <= P_SAT_623
}

/// Saturated liquid and vapour properties at (p, T) on the saturation line:
/// from regions 1 and 2 up to psat(623.15 K), above it from region 3 at the
/// saturated densities (see [`saturated_from_regions_1_and_2`]).
pub(crate) fn saturated_props(p: f64, t: f64) -> Result<(Props, Props)> {
    if saturated_from_regions_1_and_2(p) {
        Ok((region1::props(p, t), region2::props(p, t)))
    } else {
        let liquid = region3::props(region3_vpt::rho_saturated_liquid(t)?, t);
        let vapour = region3::props(region3_vpt::rho_saturated_vapour(t)?, t);
        Ok((liquid, vapour))
    }
}

/// Evaluates every property at a located point.
pub(crate) fn evaluate(point: Point) -> Result<State> {
    Ok(match point {
        Point::PT { region, p, t } => {
            let props = match region {
                Region::R1 => region1::props(p, t),
                Region::R5 => region5::props(p, t),
                _ => region2::props(p, t),
            };
            State::single_phase(region, &props)
        }
        Point::RhoT { rho, t } => State::single_phase(Region::R3, &region3::props(rho, t)),
        Point::TwoPhase { p, t, x } => {
            let (liquid, vapour) = saturated_props(p, t)?;
            State::two_phase(p, t, x, &liquid, &vapour)
        }
    })
}
