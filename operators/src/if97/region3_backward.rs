//! Region 3 backward equations in (p,h) and (p,s): IAPWS SR3-03(2014),
//! T(p,h), v(p,h), T(p,s), v(p,s) for subregions 3a and 3b, the boundary
//! equations h3ab(p) and p3sat(h), p3sat(s); and their refinement by Newton
//! iteration on the forward equation so that results agree with it to 1e-8.
//!
//! Units: p [MPa], T [K], h [kJ/kg], s [kJ/(kg K)], v [m³/kg], ρ [kg/m³].

mod coefficients;
pub(crate) mod newton;

use self::coefficients::*;
use self::newton::{Limits, Linearised};
use super::error::{If97Error, Result};
use super::region3;
use super::series::power_series;

/// Critical specific entropy [kJ/(kg K)], the boundary between subregions
/// 3a and 3b in (p, s) (SR3-03(2014) section 3.1) and in (h, s) (SR4-04).
pub(crate) const S_C: f64 = 4.412_021_482_234_76;

/// Enthalpy on the boundary between subregions 3a and 3b [kJ/kg],
/// SR3-03(2014) eq. 1: h3ab(p) = n1 + n2 π + n3 π² + n4 π³, π = p/1 MPa.
pub(crate) fn h3ab(p: f64) -> f64 {
    0.201_464_004_206_875e4
        + p * (0.374_696_550_136_983e1
            + p * (-0.219_921_901_054_187e-1 + p * 0.875_131_686_009_950e-4))
}

/// T3a(p,h), SR3-03(2014) eq. 2: T/760 K = Σ n (π + 0.240)^I (η − 0.615)^J,
/// π = p/100 MPa, η = h/2300 kJ/kg.
fn t3a_ph(p: f64, h: f64) -> f64 {
    760.0 * power_series!(T3A_PH, p / 100.0 + 0.240, h / 2300.0 - 0.615)
}

/// T3b(p,h), SR3-03(2014) eq. 3: T/860 K = Σ n (π + 0.298)^I (η − 0.720)^J,
/// π = p/100 MPa, η = h/2800 kJ/kg.
fn t3b_ph(p: f64, h: f64) -> f64 {
    860.0 * power_series!(T3B_PH, p / 100.0 + 0.298, h / 2800.0 - 0.720)
}

/// v3a(p,h), SR3-03(2014) eq. 4: v/0.0028 m³/kg = Σ n (π + 0.128)^I (η − 0.727)^J,
/// π = p/100 MPa, η = h/2100 kJ/kg.
fn v3a_ph(p: f64, h: f64) -> f64 {
    0.0028 * power_series!(V3A_PH, p / 100.0 + 0.128, h / 2100.0 - 0.727)
}

/// v3b(p,h), SR3-03(2014) eq. 5: v/0.0088 m³/kg = Σ n (π + 0.0661)^I (η − 0.720)^J,
/// π = p/100 MPa, η = h/2800 kJ/kg.
fn v3b_ph(p: f64, h: f64) -> f64 {
    0.0088 * power_series!(V3B_PH, p / 100.0 + 0.0661, h / 2800.0 - 0.720)
}

/// T3a(p,s), SR3-03(2014) eq. 6: T/760 K = Σ n (π + 0.240)^I (σ − 0.703)^J,
/// π = p/100 MPa, σ = s/4.4 kJ/(kg K).
fn t3a_ps(p: f64, s: f64) -> f64 {
    760.0 * power_series!(T3A_PS, p / 100.0 + 0.240, s / 4.4 - 0.703)
}

/// T3b(p,s), SR3-03(2014) eq. 7: T/860 K = Σ n (π + 0.760)^I (σ − 0.818)^J,
/// π = p/100 MPa, σ = s/5.3 kJ/(kg K).
fn t3b_ps(p: f64, s: f64) -> f64 {
    860.0 * power_series!(T3B_PS, p / 100.0 + 0.760, s / 5.3 - 0.818)
}

/// v3a(p,s), SR3-03(2014) eq. 8: v/0.0028 m³/kg = Σ n (π + 0.187)^I (σ − 0.755)^J,
/// π = p/100 MPa, σ = s/4.4 kJ/(kg K).
fn v3a_ps(p: f64, s: f64) -> f64 {
    0.0028 * power_series!(V3A_PS, p / 100.0 + 0.187, s / 4.4 - 0.755)
}

/// v3b(p,s), SR3-03(2014) eq. 9: v/0.0088 m³/kg = Σ n (π + 0.298)^I (σ − 0.816)^J,
/// π = p/100 MPa, σ = s/5.3 kJ/(kg K).
fn v3b_ps(p: f64, s: f64) -> f64 {
    0.0088 * power_series!(V3B_PS, p / 100.0 + 0.298, s / 5.3 - 0.816)
}

/// Backward T(p,h) with the 3a/3b choice by h3ab(p) (SR3-03(2014) section 2.1).
pub(crate) fn t3_ph(p: f64, h: f64) -> f64 {
    if h <= h3ab(p) {
        t3a_ph(p, h)
    } else {
        t3b_ph(p, h)
    }
}

/// Backward v(p,h) with the 3a/3b choice by h3ab(p).
pub(crate) fn v3_ph(p: f64, h: f64) -> f64 {
    if h <= h3ab(p) {
        v3a_ph(p, h)
    } else {
        v3b_ph(p, h)
    }
}

/// Backward T(p,s) with the 3a/3b choice by s = s_c (SR3-03(2014) section 3.1).
pub(crate) fn t3_ps(p: f64, s: f64) -> f64 {
    if s <= S_C { t3a_ps(p, s) } else { t3b_ps(p, s) }
}

/// Backward v(p,s) with the 3a/3b choice by s = s_c.
pub(crate) fn v3_ps(p: f64, s: f64) -> f64 {
    if s <= S_C { v3a_ps(p, s) } else { v3b_ps(p, s) }
}

/// Saturation pressure of region 3 from the saturated enthalpy, SR3-03(2014)
/// eq. 10, for h'(623.15 K) ≤ h ≤ h''(623.15 K):
/// p/22 MPa = Σ n (η − 1.02)^I (η − 0.608)^J, η = h/2600 kJ/kg.
// The (p, h) dispatcher decides two-phase states with the saturated
// densities instead; this equation is kept for callers that want the fast
// boundary test and is verified below.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn p3sat_h(h: f64) -> f64 {
    let eta = h / 2600.0;
    22.0 * power_series!(P3SAT_H, eta - 1.02, eta - 0.608)
}

/// Saturation pressure of region 3 from the saturated entropy, SR3-03(2014)
/// eq. 11, for s'(623.15 K) ≤ s ≤ s''(623.15 K):
/// p/22 MPa = Σ n (σ − 1.03)^I (σ − 0.699)^J, σ = s/5.2 kJ/(kg K).
pub(crate) fn p3sat_s(s: f64) -> f64 {
    let sigma = s / 5.2;
    22.0 * power_series!(P3SAT_S, sigma - 1.03, sigma - 0.699)
}

/// The pair of properties a region 3 state is sought from.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Given {
    /// Pressure [MPa] and specific enthalpy [kJ/kg].
    PH(f64, f64),
    /// Pressure [MPa] and specific entropy [kJ/(kg K)].
    PS(f64, f64),
    /// Specific enthalpy [kJ/kg] and specific entropy [kJ/(kg K)].
    HS(f64, f64),
}

impl Given {
    fn describe(self) -> String {
        match self {
            Given::PH(p, h) => format!("p = {p} MPa and h = {h} kJ/kg"),
            Given::PS(p, s) => format!("p = {p} MPa and s = {s} kJ/(kg K)"),
            Given::HS(h, s) => format!("h = {h} kJ/kg and s = {s} kJ/(kg K)"),
        }
    }

    /// The residuals (relative to the targets) and their Jacobian in (ρ, T).
    fn linearise(self, rho: f64, t: f64) -> Linearised {
        let d = region3::derivatives(rho, t);
        let p = (d.p, [d.dp_drho, d.dp_dt]);
        let h = (d.h, [d.dh_drho, d.dh_dt]);
        let s = (d.s, [d.ds_drho, d.ds_dt]);
        let ((a, da), a_target, (b, db), b_target) = match self {
            Given::PH(pt, ht) => (p, pt, h, ht),
            Given::PS(pt, st) => (p, pt, s, st),
            Given::HS(ht, st) => (h, ht, s, st),
        };
        // Every target is positive and well away from zero in region 3
        // (p > 16 MPa, h > 1500 kJ/kg, s > 3 kJ/(kg K)).
        Linearised {
            r: [(a - a_target) / a_target, (b - b_target) / b_target],
            jacobian: [
                [da[0] / a_target, da[1] / a_target],
                [db[0] / b_target, db[1] / b_target],
            ],
        }
    }
}

/// The (ρ, T) box the refinement may explore: region 3 lies within
/// 623.15 K ≤ T ≤ 863.15 K and roughly 100 kg/m³ ≤ ρ ≤ 770 kg/m³; the margin
/// lets iterates cross the edges on their way without running away.
const LIMITS: Limits = Limits {
    lo: [40.0, 580.0],
    hi: [1000.0, 950.0],
    max_rel_step: [0.25, 0.05],
};

/// Refines a first estimate (ρ0, T0) of a region 3 state by 2-D Newton
/// iteration on the forward equation (R7-97 eq. 28) until it reproduces the
/// given pair to 1e-12 relative.
pub(crate) fn refine(given: Given, rho0: f64, t0: f64) -> Result<(f64, f64)> {
    newton::solve([rho0, t0], &LIMITS, |[rho, t]| {
        Some(given.linearise(rho, t))
    })
    .map(|[rho, t]| (rho, t))
    .ok_or_else(|| {
        If97Error::NoSolution(format!(
            "{} in region 3 (the iteration on the region 3 equation did not converge)",
            given.describe()
        ))
    })
}

/// (ρ, T) in region 3 for given (p, h), refined on the forward equation.
pub(crate) fn rho_t_ph(p: f64, h: f64) -> Result<(f64, f64)> {
    refine(Given::PH(p, h), 1.0 / v3_ph(p, h), t3_ph(p, h))
}

/// (ρ, T) in region 3 for given (p, s), refined on the forward equation.
pub(crate) fn rho_t_ps(p: f64, s: f64) -> Result<(f64, f64)> {
    refine(Given::PS(p, s), 1.0 / v3_ps(p, s), t3_ps(p, s))
}

#[cfg(test)]
mod tests;
