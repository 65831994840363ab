//! Saturation properties by pressure or by temperature.

use super::error::Result;
use super::state::{Point, State, evaluate, saturated_from_regions_1_and_2, saturated_props};
use super::{solve, state::Region};
use crate::units::{Pressure, SpecificEnthalpy, Temperature};

/// Saturated liquid and saturated vapour at one point of the saturation line.
///
/// Both phases are reported as region 4 with x = 0 and x = 1; unlike a wet
/// state they carry cp, cv and w, the limits of their own one-phase side.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Saturation {
    /// Saturation pressure.
    pub p: Pressure,
    /// Saturation temperature.
    pub t: Temperature,
    /// Saturated liquid (x = 0).
    pub liquid: State,
    /// Saturated vapour (x = 1).
    pub vapour: State,
}

impl Saturation {
    /// Saturation at a pressure, 611.213 Pa ≤ p ≤ 22.064 MPa (IF97 eq. 31).
    pub fn at_pressure(p: Pressure) -> Result<Saturation> {
        let p = super::mpa(p);
        Self::at(p, solve::tsat(p)?)
    }

    /// Saturation at a temperature, 273.15 K ≤ T ≤ 647.096 K (IF97 eq. 30).
    pub fn at_temperature(t: Temperature) -> Result<Saturation> {
        let t = t.kelvin();
        Self::at(solve::psat(t)?, t)
    }

    fn at(p: f64, t: f64) -> Result<Saturation> {
        let (liquid, vapour) = saturated_props(p, t)?;
        // Each saturated phase keeps the single-phase derivatives (cp, cv, w)
        // of its side: they are the limits of the adjacent one-phase region.
        let on_line = |props: &super::props::Props, side: Region, x: f64| {
            let mut state = State::single_phase(side, props);
            state.region = Region::R4;
            state.p = Pressure::from_mpa(p);
            state.x = Some(x);
            state
        };
        let (liquid_side, vapour_side) = if saturated_from_regions_1_and_2(p) {
            (Region::R1, Region::R2)
        } else {
            (Region::R3, Region::R3)
        };
        Ok(Saturation {
            p: Pressure::from_mpa(p),
            t: Temperature::from_kelvin(t),
            liquid: on_line(&liquid, liquid_side, 0.0),
            vapour: on_line(&vapour, vapour_side, 1.0),
        })
    }

    /// Latent heat of vaporisation h'' − h'.
    pub fn hfg(&self) -> SpecificEnthalpy {
        self.vapour.h - self.liquid.h
    }

    /// The wet-steam state of dryness `x` at this saturation point.
    pub fn wet(&self, x: f64) -> Result<State> {
        let x = solve::check_dryness(x)?;
        evaluate(Point::TwoPhase {
            p: super::mpa(self.p),
            t: self.t.kelvin(),
            x,
        })
    }
}
