//! IAPWS-IF97: the industrial formulation for the thermodynamic properties of
//! water and steam, written from the releases themselves:
//!
//! - IAPWS R7-97(2012), the revised release: regions 1–5, the B23 boundary,
//!   the saturation line, backward T(p,h) and T(p,s) in regions 1 and 2;
//! - SR2-01(2014): backward p(h,s) for regions 1 and 2;
//! - SR3-03(2014): backward T(p,h), v(p,h), T(p,s), v(p,s) for region 3;
//! - SR4-04(2014): backward p(h,s) for region 3 and T_sat(h,s);
//! - SR5-05(2016): backward v(p,T) for region 3.
//!
//! Backward equations only start the search: every state returned here is
//! refined on the forward equations, so it reproduces its inputs to
//! round-off and agrees with the forward equations to 1e-8 relative or better.
//!
//! ```
//! use steamflow_operators::if97;
//! use steamflow_operators::units::{Pressure, Temperature};
//!
//! let state = if97::state_pt(Pressure::from_mpa(3.0), Temperature::from_kelvin(300.0)).unwrap();
//! assert_eq!(state.region, if97::Region::R1);
//! assert!((state.h.kj_per_kg() - 115.331_273).abs() < 1e-6); // R7-97 table 5
//! ```

mod boundaries;
pub mod constants;
mod error;
mod gibbs;
mod hs;
mod props;
mod region1;
mod region2;
mod region3;
mod region3_backward;
mod region3_vpt;
mod region4;
mod region5;
mod saturation;
mod series;
mod solve;
mod state;
#[cfg(test)]
mod test_support;

pub use error::{If97Error, Result};
pub use saturation::Saturation;
pub use state::{Region, State};

use crate::units::{Pressure, SpecificEnthalpy, SpecificEntropy, Temperature};

/// Pressure in MPa, the release's unit, as every function here reads it.
///
/// The quantities store SI units and their accessors divide by the unit's
/// factor (`Pressure::mpa` is Pa / 10⁶); multiplying by the reciprocal is as
/// accurate (the two differ by at most one ulp) and keeps a division off the
/// path of every call. The divider does not pipeline: Tsat(p) already sends
/// four square roots and a division through it, and one more costs 15 %.
/// All of IF97's entry points read the pressure this way, so they agree
/// with each other to the last bit. (Enthalpy and entropy keep their
/// accessors: they cost nothing measurable on the (p, h), (p, s) and (h, s)
/// paths, and a state's h and s read back through them more often come back
/// to the bit, as a state on the edge of the range must.)
#[inline]
pub(crate) fn mpa(p: Pressure) -> f64 {
    p.pa() * 1e-6
}

/// The state at pressure and temperature (regions 1, 2, 3 and 5).
///
/// On the saturation line (p, T) does not fix the state: a point with
/// p ≥ psat(T) (eq. 30) is liquid, below it vapour, so a rounded Tsat(p) may
/// land on either side. Use [`state_px`], [`state_tx`] or [`Saturation`]
/// for saturated and wet steam.
pub fn state_pt(p: Pressure, t: Temperature) -> Result<State> {
    state::evaluate(solve::point_pt(mpa(p), t.kelvin())?)
}

/// The state at pressure and specific enthalpy (every region).
pub fn state_ph(p: Pressure, h: SpecificEnthalpy) -> Result<State> {
    state::evaluate(solve::point_ph(mpa(p), h.kj_per_kg())?)
}

/// The state at pressure and specific entropy (every region).
pub fn state_ps(p: Pressure, s: SpecificEntropy) -> Result<State> {
    state::evaluate(solve::point_ps(mpa(p), s.kj_per_kg_k())?)
}

/// The state at specific enthalpy and specific entropy (every region).
///
/// Regions 1 to 4 start from the backward equations of SR2-01 and SR4-04;
/// region 5, for which IAPWS publishes no (h, s) equation, starts from its
/// 1073.15 K edge. Every state is then solved on the forward equations.
pub fn state_hs(h: SpecificEnthalpy, s: SpecificEntropy) -> Result<State> {
    state::evaluate(hs::solve_hs(h.kj_per_kg(), s.kj_per_kg_k())?)
}

/// Wet steam at pressure and dryness fraction x (0 ≤ x ≤ 1).
pub fn state_px(p: Pressure, x: f64) -> Result<State> {
    state::evaluate(solve::point_px(mpa(p), x)?)
}

/// Wet steam at temperature and dryness fraction x (0 ≤ x ≤ 1).
pub fn state_tx(t: Temperature, x: f64) -> Result<State> {
    state::evaluate(solve::point_tx(t.kelvin(), x)?)
}

/// Metastable (supercooled) vapour below the saturation line (R7-97 eq. 18),
/// for 611.657 Pa ≤ p ≤ 10 MPa, between the saturated-vapour line
/// (T ≤ Tsat(p)) and the 5 % equilibrium-moisture line: the state's
/// enthalpy, settled into equilibrium wet steam at the same pressure, must
/// have a dryness of at least 0.95. Outside that range the error names the
/// pressure or the temperature that is out of it.
pub fn metastable_vapour_pt(p: Pressure, t: Temperature) -> Result<State> {
    Ok(State::single_phase(
        Region::R2,
        &solve::metastable_pt(mpa(p), t.kelvin())?,
    ))
}

/// Specific enthalpy at pressure and temperature, without the other properties.
#[inline]
pub fn h_pt(p: Pressure, t: Temperature) -> Result<SpecificEnthalpy> {
    solve::h_pt(mpa(p), t.kelvin()).map(SpecificEnthalpy::from_kj_per_kg)
}

/// The IF97 region of a (p, T) point.
#[inline]
pub fn region_pt(p: Pressure, t: Temperature) -> Result<Region> {
    solve::region_pt(mpa(p), t.kelvin())
}

/// Saturation temperature at a pressure (R7-97 eq. 31).
#[inline]
pub fn saturation_temperature(p: Pressure) -> Result<Temperature> {
    solve::tsat(mpa(p)).map(Temperature::from_kelvin)
}

/// Saturation pressure at a temperature (R7-97 eq. 30).
#[inline]
pub fn saturation_pressure(t: Temperature) -> Result<Pressure> {
    solve::psat(t.kelvin()).map(Pressure::from_mpa)
}

/// Temperature at pressure and specific enthalpy, without the other properties
/// (backward equation refined on the forward one; in the two-phase region the
/// saturation temperature).
pub fn t_ph(p: Pressure, h: SpecificEnthalpy) -> Result<Temperature> {
    let t = match solve::point_ph(mpa(p), h.kj_per_kg())? {
        state::Point::PT { t, .. }
        | state::Point::RhoT { t, .. }
        | state::Point::TwoPhase { t, .. } => t,
    };
    Ok(Temperature::from_kelvin(t))
}

/// Pressure at specific enthalpy and specific entropy, without the other properties.
pub fn p_hs(h: SpecificEnthalpy, s: SpecificEntropy) -> Result<Pressure> {
    let p = match hs::solve_hs(h.kj_per_kg(), s.kj_per_kg_k())? {
        state::Point::PT { p, .. } | state::Point::TwoPhase { p, .. } => p,
        state::Point::RhoT { rho, t } => region3::p(rho, t),
    };
    Ok(Pressure::from_mpa(p))
}
