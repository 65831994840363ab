//! Region 3 backward equations in (p,h) and (p,s): IAPWS SR3-03(2014),
//! T(p,h), v(p,h), T(p,s), v(p,s) for subregions 3a and 3b, the boundary
//! equations h3ab(p) and p3sat(h), p3sat(s); and their refinement by Newton
//! iteration on the forward equation so that results agree with it to 1e-8.
//!
//! Units: p [MPa], T [K], h [kJ/kg], s [kJ/(kg K)], v [m³/kg], ρ [kg/m³].

use super::error::Result;

/// (ρ, T) in region 3 for given (p, h), refined on the forward equation.
pub(crate) fn rho_t_ph(p: f64, h: f64) -> Result<(f64, f64)> {
    let _ = (p, h);
    todo!("region 3 (p,h)")
}

/// (ρ, T) in region 3 for given (p, s), refined on the forward equation.
pub(crate) fn rho_t_ps(p: f64, s: f64) -> Result<(f64, f64)> {
    let _ = (p, s);
    todo!("region 3 (p,s)")
}
