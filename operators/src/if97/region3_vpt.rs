//! Region 3 density from pressure and temperature: the backward equations
//! v(p,T) of IAPWS SR5-05(2016), "Revised Supplementary Release on Backward
//! Equations for Specific Volume as a Function of Pressure and Temperature
//! v(p,T) for Region 3", refined on the region-3 Helmholtz equation of
//! IAPWS R7-97(2012).
//!
//! SR5-05 divides region 3 into the subregions 3a–3t along the boundary
//! equations T3xy(p), and near the critical point into the auxiliary
//! subregions 3u–3z; each has its own equation for v(p,T). Those
//! equations agree with the forward equation only to about 1e-5 in v (1e-3
//! for 3u–3x and 2e-2 for 3y and 3z, around the critical point), so their
//! result only starts a Newton iteration on p(ρ,T) = p, which ends when the
//! forward equation reproduces p to 1e-14 relative, or to the rounding
//! error of the forward pressure where that is larger (up to about 1e-12,
//! in the dense liquid near 623 K).
//!
//! Units: p [MPa], T [K], v [m³/kg], ρ [kg/m³].

mod division;
mod newton;
mod subregion;
mod tables;
#[cfg(test)]
mod tests;

use super::constants::{PC, RHOC, TC};
use super::error::{If97Error, Result};
use super::region4;
use newton::Branch;

/// Density in region 3 for given (p, T), refined on the forward equation.
///
/// Below the critical temperature the root is taken on the liquid branch of
/// the isotherm when p ≥ p_sat(T) (a point on the saturation line counts as
/// liquid, as in the rest of IF97 here) and on the vapour branch otherwise.
pub(crate) fn rho_pt(p: f64, t: f64) -> Result<f64> {
    let branch = if t >= TC {
        Branch::Supercritical
    } else if p >= region4::psat(t) {
        Branch::Liquid
    } else {
        Branch::Vapour
    };
    let start = division::subregion(p, t);
    newton::density(branch, t, p, 1.0 / start.v(p, t)).ok_or_else(|| {
        no_solution(&format!(
            "a region-3 density at p = {p} MPa, T = {t} K (started from subregion {})",
            start.name
        ))
    })
}

/// Saturated-liquid density for 623.15 K ≤ T ≤ 647.096 K, consistent with
/// the forward equation at p = psat(T).
///
/// The estimate comes from the SR5-05 equation just left of the saturation
/// line (3c, 3s, 3u or 3y by pressure); the root is taken on the liquid
/// branch of the isotherm.
pub(crate) fn rho_saturated_liquid(t: f64) -> Result<f64> {
    saturated(
        t,
        Branch::Liquid,
        division::saturated_liquid,
        "saturated-liquid",
    )
}

/// Saturated-vapour density for 623.15 K ≤ T ≤ 647.096 K, consistent with
/// the forward equation at p = psat(T).
///
/// The estimate comes from the SR5-05 equation just right of the saturation
/// line (3t, 3r, 3x or 3z by pressure); the root is taken on the vapour
/// branch of the isotherm.
pub(crate) fn rho_saturated_vapour(t: f64) -> Result<f64> {
    saturated(
        t,
        Branch::Vapour,
        division::saturated_vapour,
        "saturated-vapour",
    )
}

/// Width of the band below Tc in which the saturated densities are
/// interpolated rather than solved for [K].
const CRITICAL_BAND: f64 = 1e-3;

/// A saturated density at T on `branch`, starting from the equation `pick`
/// chooses for p_sat(T).
///
/// Close to the critical point the region-3 equation and eq. 30 part ways:
/// they disagree there by a few 1e-11 in pressure, the loop of the region-3
/// isotherm closes slightly above 647.096 K and, within about 3e-5 K of Tc,
/// no longer reaches up to p_sat(T) (the vapour root would then be the end
/// of the vapour branch, its spinodal). Solved, the densities would not meet
/// at the critical point: at Tc they differ by 0.18 kg/m³ and h'' − h' is
/// 0.30 kJ/kg. In the last [`CRITICAL_BAND`] below Tc they therefore follow
/// the law of the region-3 equation near its critical point — an analytic
/// equation has a classical coexistence curve, ρ − ρc ∝ (T_end − T)^½ — from
/// their solved values at Tc − 1 mK (where the root is still found to 2e-3
/// of the dome's width) to ρc at T_end = Tsat(pc), where eq. 31 ends the
/// saturation line (1.2e-9 K below Tc; eq. 30 gives pc there). From T_end to
/// Tc both densities are ρc: h'' = h' and v'' = v' at the critical point.
fn saturated(
    t: f64,
    branch: Branch,
    pick: fn(f64) -> &'static subregion::Subregion,
    what: &str,
) -> Result<f64> {
    if !(t.is_finite() && t <= TC) {
        return Err(If97Error::OutOfRange {
            quantity: "temperature [K]",
            value: t,
            range: "623.15 K ≤ T ≤ 647.096 K on the saturation line of region 3",
        });
    }
    let solved = |t: f64| {
        let p = region4::psat(t);
        let guess = 1.0 / pick(p).v(p, t);
        newton::density(branch, t, p, guess)
            .ok_or_else(|| no_solution(&format!("a {what} density at T = {t} K")))
    };
    let band_start = TC - CRITICAL_BAND;
    if t <= band_start {
        return solved(t);
    }
    let end = region4::tsat(PC);
    if t >= end {
        return Ok(RHOC);
    }
    let at_start = solved(band_start)?;
    Ok(RHOC + (at_start - RHOC) * ((end - t) / (end - band_start)).sqrt())
}

fn no_solution(what: &str) -> If97Error {
    If97Error::NoSolution(what.to_owned())
}
