//! Region 1: compressed liquid. IAPWS R7-97(2012) section 5, and the
//! backward equations T(p,h), T(p,s) (section 5.2) and p(h,s) (SR2-01 / R7-97(2012) 5.2.3).
//!
//! Units: p [MPa], T [K], h [kJ/kg], s [kJ/(kg K)].

use super::props::Props;

/// All properties from the Gibbs free energy (eq. 7, tables 3 and 4).
pub(crate) fn props(p: f64, t: f64) -> Props {
    let _ = (p, t);
    todo!("region 1 forward")
}

/// Specific enthalpy only, the fast path.
pub(crate) fn h(p: f64, t: f64) -> f64 {
    let _ = (p, t);
    todo!("region 1 h")
}

/// Backward T(p,h), eq. 11.
pub(crate) fn t_ph(p: f64, h: f64) -> f64 {
    let _ = (p, h);
    todo!("region 1 T(p,h)")
}

/// Backward T(p,s), eq. 13.
pub(crate) fn t_ps(p: f64, s: f64) -> f64 {
    let _ = (p, s);
    todo!("region 1 T(p,s)")
}

/// Backward p(h,s), SR2-01 eq. 1.
pub(crate) fn p_hs(h: f64, s: f64) -> f64 {
    let _ = (h, s);
    todo!("region 1 p(h,s)")
}
