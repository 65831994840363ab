//! Region 5: high-temperature steam. IAPWS R7-97(2012) section 9.
//!
//! Units: p [MPa], T [K].

use super::props::Props;

/// All properties from the Gibbs free energy (eq. 32, tables 37 and 38).
pub(crate) fn props(p: f64, t: f64) -> Props {
    let _ = (p, t);
    todo!("region 5 forward")
}

/// Specific enthalpy only.
pub(crate) fn h(p: f64, t: f64) -> f64 {
    let _ = (p, t);
    todo!("region 5 h")
}
