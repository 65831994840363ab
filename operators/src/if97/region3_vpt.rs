//! Region 3 backward v(p,T): IAPWS SR5-05(2016), the 26 subregions 3a–3z
//! with their boundary equations and the auxiliary near-critical equations,
//! refined by Newton iteration on the forward equation to 1e-8.
//!
//! Units: p [MPa], T [K], v [m³/kg], ρ [kg/m³].

use super::error::Result;

/// Density in region 3 for given (p, T), refined on the forward equation.
pub(crate) fn rho_pt(p: f64, t: f64) -> Result<f64> {
    let _ = (p, t);
    todo!("region 3 rho(p,T)")
}

/// Saturated-liquid density for 623.15 K ≤ T ≤ 647.096 K, consistent with
/// the forward equation at p = psat(T).
pub(crate) fn rho_saturated_liquid(t: f64) -> Result<f64> {
    let _ = t;
    todo!("region 3 rho'")
}

/// Saturated-vapour density for 623.15 K ≤ T ≤ 647.096 K, consistent with
/// the forward equation at p = psat(T).
pub(crate) fn rho_saturated_vapour(t: f64) -> Result<f64> {
    let _ = t;
    todo!("region 3 rho''")
}
