//! Region 2: superheated vapour, with the metastable-vapour equation.
//! IAPWS R7-97(2012) section 6, backward equations T(p,h), T(p,s) for
//! subregions 2a, 2b, 2c (section 6.3) and p(h,s) (SR2-01).
//!
//! Units: p [MPa], T [K], h [kJ/kg], s [kJ/(kg K)].

use super::props::Props;

/// All properties from the Gibbs free energy (eq. 15, tables 10 and 11).
pub(crate) fn props(p: f64, t: f64) -> Props {
    let _ = (p, t);
    todo!("region 2 forward")
}

/// Specific enthalpy only, the fast path.
pub(crate) fn h(p: f64, t: f64) -> f64 {
    let _ = (p, t);
    todo!("region 2 h")
}

/// Metastable vapour (eq. 18, tables 16 and 17), valid for p ≤ 10 MPa
/// between the saturated-vapour line and the 5 % equilibrium-moisture line.
pub(crate) fn props_metastable(p: f64, t: f64) -> Props {
    let _ = (p, t);
    todo!("region 2 metastable")
}

/// Backward T(p,h) with the 2a/2b/2c subregion choice (eqs. 20–24).
pub(crate) fn t_ph(p: f64, h: f64) -> f64 {
    let _ = (p, h);
    todo!("region 2 T(p,h)")
}

/// Backward T(p,s) with the 2a/2b/2c subregion choice (eqs. 25–27).
pub(crate) fn t_ps(p: f64, s: f64) -> f64 {
    let _ = (p, s);
    todo!("region 2 T(p,s)")
}

/// Backward p(h,s) with the 2a/2b/2c subregion choice (SR2-01 eqs. 3–6).
pub(crate) fn p_hs(h: f64, s: f64) -> f64 {
    let _ = (h, s);
    todo!("region 2 p(h,s)")
}
