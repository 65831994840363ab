//! Region 3: the critical region, from the Helmholtz free energy f(ρ,T).
//! IAPWS R7-97(2012) section 7.
//!
//! Units: ρ [kg/m³], p [MPa], T [K].

use super::props::Props;

/// All properties from the Helmholtz free energy (eq. 28, tables 30 and 31).
pub(crate) fn props(rho: f64, t: f64) -> Props {
    let _ = (rho, t);
    todo!("region 3 forward")
}

/// Pressure only, for Newton iterations.
pub(crate) fn p(rho: f64, t: f64) -> f64 {
    let _ = (rho, t);
    todo!("region 3 p")
}
