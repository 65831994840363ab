//! States from (h, s): IAPWS SR4-04(2014) — p3a(h,s), p3b(h,s), the
//! saturation temperature T_sat(h,s) in the two-phase region above
//! s''(623.15 K), and the boundary equations h'1(s), h'3(s), h''2ab(s),
//! h''2c3b(s), h_B13(s), T_B23(h,s) — together with the R7-97 p(h,s) of
//! regions 1 and 2, to locate and solve any (h, s) point.
//!
//! The boundary equations only choose where to start. Every state is then
//! solved on the forward equations (regions 1, 2, 5 by Newton iteration in
//! (p, T), region 3 in (ρ, T), the two-phase region by the temperature whose
//! saturated liquid and vapour mix to both h and s) and checked against the
//! region it was solved in; a point the boundary equations put on the wrong
//! side of a boundary is handed to its neighbour.
//!
//! Units: h [kJ/kg], s [kJ/(kg K)].

mod coefficients;
mod roots;

use self::coefficients::*;
use super::constants::{P_MAX, P_MAX_5, PC, RHOC, T_13, T_25, T_B23_MAX, T_MAX, T_MIN, TC};
use super::error::{If97Error, Result, finite};
use super::props::{Caloric, Props};
use super::region3_backward::newton::{self, Limits, Linearised};
use super::region3_backward::{Given, S_C, p3sat_s, refine, t3_ps, v3_ps};
use super::series::power_series;
use super::state::{Point, Region, saturated_props};
use super::{boundaries, region1, region2, region3, region3_vpt, region4, region5};

const H_NAME: &str = "specific enthalpy [kJ/kg]";
const S_NAME: &str = "specific entropy [kJ/(kg K)]";

/// s'(273.15 K), the saturated-liquid entropy at the lowest IF97 temperature
/// (SR4-04(2014), range of eq. 3).
const S_LIQUID_273: f64 = -1.545_495_919e-4;
/// s'(623.15 K), where the saturated-liquid line passes from region 1 to
/// region 3 (SR4-04(2014), ranges of eqs. 3 and 4).
const S_LIQUID_623: f64 = 3.778_281_340;
/// s(100 MPa, 623.15 K), the lower end of the B13 boundary in (h, s)
/// (SR4-04(2014), range of eq. 7).
const S_B13_MIN: f64 = 3.397_782_955;
/// s''(623.15 K), above which Tsat(h,s) of SR4-04(2014) eq. 9 applies.
const S_VAPOUR_623: f64 = 5.210_887_825;
/// The entropy that divides h''2ab(s) from h''2c3b(s) (SR4-04(2014) eqs. 5, 6).
const S_2BC: f64 = 5.85;
/// s''(273.15 K), the saturated-vapour entropy at the lowest IF97 temperature.
const S_VAPOUR_273: f64 = 9.155_759_395;
/// The entropy range of TB23(h,s), SR4-04(2014) eq. 8.
const S_B23: (f64, f64) = (5.048_096_828, 5.260_578_707);
/// The enthalpy range of TB23(h,s), SR4-04(2014) eq. 8.
const H_B23: (f64, f64) = (2.563_592_004e3, 2.812_942_061e3);

/// p3a(h,s), SR4-04(2014) eq. 1: p/99 MPa = Σ n (η − 1.01)^I (σ − 0.750)^J,
/// η = h/2300 kJ/kg, σ = s/4.4 kJ/(kg K).
fn p3a_hs(h: f64, s: f64) -> f64 {
    99.0 * power_series!(P3A_HS, h / 2300.0 - 1.01, s / 4.4 - 0.750)
}

/// p3b(h,s), SR4-04(2014) eq. 2: 16.6 MPa/p = Σ n (η − 0.681)^I (σ − 0.792)^J,
/// η = h/2800 kJ/kg, σ = s/5.3 kJ/(kg K).
fn p3b_hs(h: f64, s: f64) -> f64 {
    16.6 / power_series!(P3B_HS, h / 2800.0 - 0.681, s / 5.3 - 0.792)
}

/// Backward p3(h,s) with the 3a/3b choice by s = s_c (SR4-04(2014) section 3.1).
fn p3_hs(h: f64, s: f64) -> f64 {
    if s <= S_C { p3a_hs(h, s) } else { p3b_hs(h, s) }
}

/// h'1(s), the saturated-liquid line of region 1, SR4-04(2014) eq. 3, for
/// s'(273.15 K) ≤ s ≤ s'(623.15 K): h/1700 kJ/kg = Σ n (σ − 1.09)^I (σ + 0.366e-4)^J,
/// σ = s/3.8 kJ/(kg K).
fn h1_saturated_liquid(s: f64) -> f64 {
    let sigma = s / 3.8;
    1700.0 * power_series!(H1_SAT_LIQUID, sigma - 1.09, sigma + 0.366e-4)
}

/// h'3a(s), the saturated-liquid line of region 3, SR4-04(2014) eq. 4, for
/// s'(623.15 K) ≤ s ≤ s_c: h/1700 kJ/kg = Σ n (σ − 1.09)^I (σ + 0.366e-4)^J,
/// σ = s/3.8 kJ/(kg K).
fn h3a_saturated_liquid(s: f64) -> f64 {
    let sigma = s / 3.8;
    1700.0 * power_series!(H3A_SAT_LIQUID, sigma - 1.09, sigma + 0.366e-4)
}

/// h''2ab(s), the saturated-vapour line of subregions 2a and 2b,
/// SR4-04(2014) eq. 5, for 5.85 ≤ s ≤ s''(273.15 K):
/// ln(h/2800 kJ/kg) = Σ n (1/σ1 − 0.513)^I (σ2 − 0.524)^J,
/// σ1 = s/5.21 kJ/(kg K), σ2 = s/9.2 kJ/(kg K).
fn h2ab_saturated_vapour(s: f64) -> f64 {
    2800.0 * power_series!(H2AB_SAT_VAPOUR, 5.21 / s - 0.513, s / 9.2 - 0.524).exp()
}

/// h''2c3b(s), the saturated-vapour line of subregions 2c and 3b,
/// SR4-04(2014) eq. 6, for s_c ≤ s ≤ 5.85:
/// (h/2800 kJ/kg)^(1/4) = Σ n (σ − 1.02)^I (σ − 0.726)^J, σ = s/5.9 kJ/(kg K).
fn h2c3b_saturated_vapour(s: f64) -> f64 {
    let sigma = s / 5.9;
    2800.0 * power_series!(H2C3B_SAT_VAPOUR, sigma - 1.02, sigma - 0.726).powi(4)
}

/// hB13(s), the boundary between regions 1 and 3 (T = 623.15 K),
/// SR4-04(2014) eq. 7, for s(100 MPa, 623.15 K) ≤ s ≤ s'(623.15 K):
/// h/1700 kJ/kg = Σ n (σ − 0.884)^I (σ − 0.864)^J, σ = s/3.8 kJ/(kg K).
fn h_b13(s: f64) -> f64 {
    let sigma = s / 3.8;
    1700.0 * power_series!(H_B13, sigma - 0.884, sigma - 0.864)
}

/// TB23(h,s), the temperature of the boundary between regions 2 and 3,
/// SR4-04(2014) eq. 8: T/900 K = Σ n (η − 0.727)^I (σ − 0.864)^J,
/// η = h/3000 kJ/kg, σ = s/5.3 kJ/(kg K).
fn t_b23_hs(h: f64, s: f64) -> f64 {
    900.0 * power_series!(T_B23, h / 3000.0 - 0.727, s / 5.3 - 0.864)
}

/// Tsat(h,s), the temperature of wet steam, SR4-04(2014) eq. 9, for
/// s ≥ s''(623.15 K): T/550 K = Σ n (η − 0.119)^I (σ − 1.07)^J,
/// η = h/2800 kJ/kg, σ = s/9.2 kJ/(kg K).
fn t_sat_hs(h: f64, s: f64) -> f64 {
    550.0 * power_series!(T_SAT_HS, h / 2800.0 - 0.119, s / 9.2 - 1.07)
}

/// Where a search for an (h, s) state starts or continues.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Zone {
    Region1,
    Region2,
    Region3,
    Wet,
    Region5,
}

impl Zone {
    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// The zone the SR4-04(2014) boundary equations assign to (h, s): by
/// entropy bands, the saturated-liquid and saturated-vapour lines below which
/// steam is wet, hB13 between regions 1 and 3, and TB23 between regions 2
/// and 3. Region 5 is split off from region 2 later, by the 1073.15 K isotherm.
fn classify(h: f64, s: f64) -> Zone {
    if s < S_LIQUID_273 {
        Zone::Region1
    } else if s <= S_LIQUID_623 {
        if h < h1_saturated_liquid(s) {
            Zone::Wet
        } else if s <= S_B13_MIN || h < h_b13(s) {
            Zone::Region1
        } else {
            Zone::Region3
        }
    } else if s <= S_C {
        if h < h3a_saturated_liquid(s) {
            Zone::Wet
        } else {
            Zone::Region3
        }
    } else if s <= S_2BC {
        if h < h2c3b_saturated_vapour(s) {
            Zone::Wet
        } else {
            region2_or_3(h, s)
        }
    } else if s <= S_VAPOUR_273 && h < h2ab_saturated_vapour(s) {
        Zone::Wet
    } else {
        Zone::Region2
    }
}

/// Above the saturated-vapour line for s_c < s ≤ 5.85: the B23 boundary
/// decides, in (h, s) by TB23(h,s) (SR4-04(2014) section 4.6): the state is
/// in region 3 if p2c(h,s) lies above pB23(TB23(h,s)).
fn region2_or_3(h: f64, s: f64) -> Zone {
    if s < S_B23.0 || (s <= S_B23.1 && h < H_B23.0) {
        Zone::Region3
    } else if s > S_B23.1 || h > H_B23.1 {
        Zone::Region2
    } else if region2::p_hs(h, s) > boundaries::b23_p(t_b23_hs(h, s)) {
        Zone::Region3
    } else {
        Zone::Region2
    }
}

/// What solving in one zone found.
enum Verdict {
    /// A state inside the zone.
    Inside(Point),
    /// The state belongs to another zone; `here` is the state found in this
    /// one, if any, slightly outside its boundary.
    Elsewhere { next: Zone, here: Option<Point> },
    /// The state found lies outside IAPWS-IF97 (`error`), unless it belongs
    /// to `neighbour`, a region that this one meets next to the state: the
    /// regions of IF97 differ slightly on their common boundaries, so a
    /// state of one can sit just across the other's.
    Beyond {
        error: If97Error,
        neighbour: Option<Zone>,
    },
}

/// Within this fraction of a boundary temperature a state found beyond
/// 100 MPa is tried in the neighbouring region too.
const NEAR_BOUNDARY: f64 = 1e-4;

fn near(t: f64, boundary: f64) -> bool {
    (t - boundary).abs() <= NEAR_BOUNDARY * boundary
}

/// Locates the (h, s) point and solves it to forward-equation accuracy.
pub(crate) fn solve_hs(h: f64, s: f64) -> Result<Point> {
    let h = finite(H_NAME, h)?;
    let s = finite(S_NAME, s)?;
    let mut zone = classify(h, s);
    let mut tried = 0u8;
    let mut fallback = None;
    // The first reason found for a state outside IF97, reported if no
    // neighbouring region has the state either.
    let mut outside: Option<If97Error> = None;
    // Each zone is tried at most once, so this ends after five attempts.
    while tried & zone.bit() == 0 {
        tried |= zone.bit();
        // A region whose iteration fails has no state here; like a state
        // found beyond IF97, that is reported only if no other zone, nor
        // the state found just outside a neighbour, has the answer.
        let verdict = solve_in(zone, h, s).unwrap_or_else(|error| Verdict::Beyond {
            error,
            neighbour: None,
        });
        match verdict {
            Verdict::Inside(point) => return Ok(point),
            Verdict::Elsewhere { next, here } => {
                fallback = here.or(fallback);
                zone = next;
            }
            Verdict::Beyond { error, neighbour } => {
                outside.get_or_insert(error);
                match neighbour {
                    Some(next) => zone = next,
                    None => break,
                }
            }
        }
    }
    // Two neighbours each place the state in the other: it lies in the
    // sliver where IF97's regions differ by their consistency tolerance,
    // and the state found just outside one of them is the answer.
    fallback.ok_or_else(|| {
        outside.unwrap_or_else(|| no_state(h, s, "the regions' equations do not agree on it"))
    })
}

fn solve_in(zone: Zone, h: f64, s: f64) -> Result<Verdict> {
    match zone {
        Zone::Region1 => solve_region1(h, s),
        Zone::Region2 => solve_region2(h, s),
        Zone::Region3 => solve_region3(h, s),
        Zone::Wet => solve_wet(h, s),
        Zone::Region5 => solve_region5(h, s),
    }
}

fn no_state(h: f64, s: f64, why: &str) -> If97Error {
    If97Error::NoSolution(format!("h = {h} kJ/kg and s = {s} kJ/(kg K): {why}"))
}

fn below_273(h: f64, s: f64) -> If97Error {
    no_state(
        h,
        s,
        "the state would lie below 273.15 K, the lowest temperature of IAPWS-IF97",
    )
}

fn above_100_mpa(h: f64, s: f64) -> If97Error {
    no_state(
        h,
        s,
        "the state would lie above 100 MPa, the highest pressure of IAPWS-IF97",
    )
}

fn not_converged(h: f64, s: f64, region: &str) -> If97Error {
    no_state(
        h,
        s,
        &format!(
            "the iteration in {region} did not converge; the state may lie outside IAPWS-IF97 \
             (273.15 K to 1073.15 K up to 100 MPa, to 2273.15 K up to 50 MPa)"
        ),
    )
}

/// Relative slack when a solved state is compared with its region's
/// boundaries: far below the consistency of IF97's regions at their
/// boundaries, far above the accuracy of the solution.
const EDGE: f64 = 1e-9;

/// Scales below which h and s residuals are taken as absolute, so the
/// iteration converges where h or s passes through zero (liquid at 273.16 K).
const H_SCALE_MIN: f64 = 10.0;
const S_SCALE_MIN: f64 = 0.1;

/// Newton iteration in (p, T) on a (p, T) region's forward equation until it
/// reproduces (h, s), with the exact Jacobian: ∂h/∂p, ∂s/∂p from the Gibbs
/// energy, ∂h/∂T = cp and ∂s/∂T = cp/T.
fn refine_pt(
    forward: fn(f64, f64) -> Caloric,
    h: f64,
    s: f64,
    start: [f64; 2],
    limits: &Limits,
) -> Option<(f64, f64)> {
    let h_scale = h.abs().max(H_SCALE_MIN);
    let s_scale = s.abs().max(S_SCALE_MIN);
    newton::solve(start, limits, |[p, t]| {
        let at = forward(p, t);
        Some(Linearised {
            r: [(at.h - h) / h_scale, (at.s - s) / s_scale],
            jacobian: [
                [at.dh_dp / h_scale, at.cp / h_scale],
                [at.ds_dp / s_scale, at.cp / t / s_scale],
            ],
        })
    })
    .map(|[p, t]| (p, t))
}

/// Why an iteration in a (p, T) region failed: the state lies above its
/// 100 MPa isobar (between `t_lo` and `t_hi`), or the iteration did not converge.
fn failure(
    forward: fn(f64, f64) -> Caloric,
    h: f64,
    s: f64,
    region: &str,
    (t_lo, t_hi): (f64, f64),
) -> If97Error {
    // Along an isobar s rises with T, so the isobar meets s at most once.
    let on_isobar = |t| Ok(forward(P_MAX, t).s - s);
    match roots::bracketed(on_isobar, t_lo, t_hi, 1e-12) {
        Ok(Some(t)) if h > forward(P_MAX, t).h => above_100_mpa(h, s),
        _ => not_converged(h, s, region),
    }
}

/// Region 1: p from SR2-01 p1(h,s), T from T1(p,h), then Newton.
fn solve_region1(h: f64, s: f64) -> Result<Verdict> {
    let lowest = region1::caloric(P_MAX, T_MIN).s;
    if s < lowest {
        return Err(If97Error::OutOfRange {
            quantity: S_NAME,
            value: s,
            range: "s ≥ s(100 MPa, 273.15 K) ≈ -0.00858 kJ/(kg K), the lowest entropy of IAPWS-IF97",
        });
    }
    let p0 = region1::p_hs(h, s);
    let start = [p0, region1::t_ph(p0, h)];
    let limits = Limits {
        lo: [1e-7, 240.0],
        hi: [300.0, 700.0],
        max_rel_step: [0.5, 0.05],
    };
    let (p, t) = refine_pt(region1::caloric, h, s, start, &limits)
        .ok_or_else(|| failure(region1::caloric, h, s, "region 1", (T_MIN, T_13)))?;
    let here = Point::PT {
        region: Region::R1,
        p,
        t,
    };
    if t < T_MIN * (1.0 - EDGE) {
        return Err(below_273(h, s));
    }
    if p > P_MAX * (1.0 + EDGE) {
        return Ok(Verdict::Beyond {
            error: above_100_mpa(h, s),
            neighbour: near(t, T_13).then_some(Zone::Region3),
        });
    }
    Ok(if t > T_13 * (1.0 + EDGE) {
        Verdict::Elsewhere {
            next: Zone::Region3,
            here: Some(here),
        }
    } else if p < region4::psat(t) * (1.0 - EDGE) {
        Verdict::Elsewhere {
            next: Zone::Wet,
            here: Some(here),
        }
    } else {
        Verdict::Inside(here)
    })
}

/// Region 2: p from SR2-01 p2(h,s), T from T2(p,h), then Newton; states
/// beyond the 1073.15 K isotherm go to region 5.
fn solve_region2(h: f64, s: f64) -> Result<Verdict> {
    if s > S_VAPOUR_273 && h < region2::h(region4::psat(T_MIN), T_MIN) {
        // Below h''(273.15 K) no vapour state at p < psat(273.15 K) is as warm as 273.15 K.
        return Err(below_273(h, s));
    }
    if beyond_1073_k(h, s) {
        return Ok(Verdict::Elsewhere {
            next: Zone::Region5,
            here: None,
        });
    }
    let p0 = region2::p_hs(h, s);
    let start = [p0, region2::t_ph(p0, h)];
    let limits = Limits {
        lo: [1e-15, 200.0],
        hi: [300.0, 1200.0],
        max_rel_step: [0.5, 0.05],
    };
    let (p, t) = refine_pt(region2::caloric, h, s, start, &limits)
        .ok_or_else(|| failure(region2::caloric, h, s, "region 2", (T_B23_MAX, T_25)))?;
    let here = Some(Point::PT {
        region: Region::R2,
        p,
        t,
    });
    if t < T_MIN * (1.0 - EDGE) {
        return Err(below_273(h, s));
    }
    if p > P_MAX * (1.0 + EDGE) {
        return Ok(Verdict::Beyond {
            error: above_100_mpa(h, s),
            neighbour: near(t, T_B23_MAX).then_some(Zone::Region3),
        });
    }
    Ok(if t > T_25 * (1.0 + EDGE) {
        Verdict::Elsewhere {
            next: Zone::Region5,
            here,
        }
    } else if t <= T_13 && p > region4::psat(t) * (1.0 + EDGE) {
        Verdict::Elsewhere {
            next: Zone::Wet,
            here,
        }
    } else if t > T_13 && t <= T_B23_MAX && p > boundaries::b23_p(t) * (1.0 + EDGE) {
        Verdict::Elsewhere {
            next: Zone::Region3,
            here,
        }
    } else {
        Verdict::Inside(Point::PT {
            region: Region::R2,
            p,
            t,
        })
    })
}

/// The pressure where the 1073.15 K isotherm of region 2 has entropy s, if
/// it is at most 100 MPa.
fn pressure_on_1073_k(s: f64) -> Option<f64> {
    let entropy = |ln_p: f64| Ok(region2::caloric(ln_p.exp(), T_25).s - s);
    // s falls as p rises along an isotherm.
    let (lo, hi) = (1e-15_f64.ln(), P_MAX.ln());
    roots::bracketed(entropy, hi, lo, 1e-14)
        .ok()
        .flatten()
        .map(f64::exp)
}

/// Whether (h, s) lies above the 1073.15 K isotherm, where region 2 ends.
fn beyond_1073_k(h: f64, s: f64) -> bool {
    // Along the isotherm h falls as p rises, so nothing below its 100 MPa
    // enthalpy can be beyond it: most region 2 states skip the search.
    if h <= region2::h(P_MAX, T_25) {
        return false;
    }
    pressure_on_1073_k(s).is_some_and(|p| h > region2::h(p, T_25))
}

/// Region 5 (no backward equation exists): start from the 1073.15 K
/// isotherm at the given entropy, heat at that pressure to the given
/// enthalpy, correct the pressure for the entropy as for an ideal gas, then
/// Newton.
fn solve_region5(h: f64, s: f64) -> Result<Verdict> {
    let out_of_region5 = || {
        no_state(
            h,
            s,
            "the state lies beyond region 2 (above 1073.15 K); region 5 covers it only up to 50 MPa and 2273.15 K",
        )
    };
    let p_edge = pressure_on_1073_k(s)
        .ok_or_else(out_of_region5)?
        .min(P_MAX_5);
    let heated = |t: f64| Ok(region5::h(p_edge, t) - h);
    let t0 = roots::bracketed(heated, T_25, T_MAX * 1.2, 1e-12)
        .ok()
        .flatten()
        .unwrap_or(T_MAX);
    let p0 = p_edge * ((region5::caloric(p_edge, t0).s - s) / super::constants::R).exp();
    let limits = Limits {
        lo: [1e-15, 1000.0],
        hi: [80.0, 2800.0],
        max_rel_step: [0.5, 0.1],
    };
    let (p, t) = refine_pt(region5::caloric, h, s, [p0, t0], &limits).ok_or_else(out_of_region5)?;
    if p > P_MAX_5 * (1.0 + EDGE) || t > T_MAX * (1.0 + EDGE) {
        return Err(out_of_region5());
    }
    let here = Point::PT {
        region: Region::R5,
        p,
        t,
    };
    Ok(if t < T_25 * (1.0 - EDGE) {
        Verdict::Elsewhere {
            next: Zone::Region2,
            here: Some(here),
        }
    } else {
        Verdict::Inside(here)
    })
}

/// Region 3 by the backward equations alone refined on the forward one:
/// p from p3(h,s), (ρ, T) from v3(p,s), T3(p,s), then Newton in (ρ, T).
fn rho_t_hs(h: f64, s: f64) -> Result<(f64, f64)> {
    let p0 = p3_hs(h, s);
    refine(Given::HS(h, s), 1.0 / v3_ps(p0, s), t3_ps(p0, s))
}

/// Region 3, checked against its boundaries and the saturation dome.
fn solve_region3(h: f64, s: f64) -> Result<Verdict> {
    let (rho, t) = rho_t_hs(h, s).map_err(|failed| {
        if p3_hs(h, s) > P_MAX {
            above_100_mpa(h, s)
        } else {
            failed
        }
    })?;
    let p = region3::p(rho, t);
    let here = Some(Point::RhoT { rho, t });
    if p > P_MAX * (1.0 + EDGE) {
        let neighbour = if near(t, T_13) {
            Some(Zone::Region1)
        } else {
            near(t, T_B23_MAX).then_some(Zone::Region2)
        };
        return Ok(Verdict::Beyond {
            error: above_100_mpa(h, s),
            neighbour,
        });
    }
    if t < T_13 * (1.0 - EDGE) {
        // Below 623.15 K a dense state is compressed liquid (region 1); a
        // light one is vapour or, above its saturation pressure, wet steam,
        // which region 2 hands on.
        let next = if rho > RHOC {
            Zone::Region1
        } else {
            Zone::Region2
        };
        return Ok(Verdict::Elsewhere { next, here });
    }
    if t > T_B23_MAX || p < boundaries::b23_p(t) * (1.0 - EDGE) {
        return Ok(Verdict::Elsewhere {
            next: Zone::Region2,
            here,
        });
    }
    if t < TC {
        let (liquid, vapour) = (
            region3_vpt::rho_saturated_liquid(t)?,
            region3_vpt::rho_saturated_vapour(t)?,
        );
        if rho < liquid * (1.0 - EDGE) && rho > vapour * (1.0 + EDGE) {
            return Ok(Verdict::Elsewhere {
                next: Zone::Wet,
                here,
            });
        }
    }
    Ok(Verdict::Inside(Point::RhoT { rho, t }))
}

/// Saturated liquid and vapour at T on the saturation line.
fn saturated(t: f64) -> Result<(Props, Props)> {
    saturated_props(region4::psat(t), t)
}

/// How a temperature on the saturation line relates to the wet state (h, s).
enum Tie {
    /// s lies outside [s'(T), s''(T)]: T is above the state's temperature.
    TooHot,
    /// The mixture of entropy s at T has enthalpy h + `excess`; the excess
    /// rises with T, and vanishes at the state's temperature.
    Mixture { excess: f64 },
}

fn tie(h: f64, s: f64, t: f64) -> Result<Tie> {
    let (liquid, vapour) = saturated(t)?;
    if s < liquid.s || s > vapour.s || vapour.s <= liquid.s {
        return Ok(Tie::TooHot);
    }
    let x = (s - liquid.s) / (vapour.s - liquid.s);
    Ok(Tie::Mixture {
        excess: liquid.h + x * (vapour.h - liquid.h) - h,
    })
}

/// A bracket on the temperature of a wet state: at `lo` the mixture of
/// entropy s is colder than h (excess < 0); `hi` is too hot or has
/// excess ≥ 0 (`hi_excess`, once known).
struct Bracket {
    lo: f64,
    lo_excess: f64,
    hi: f64,
    hi_excess: Option<f64>,
}

impl Bracket {
    fn narrow(&mut self, t: f64, tie: Tie) {
        match tie {
            Tie::Mixture { excess } if excess < 0.0 => (self.lo, self.lo_excess) = (t, excess),
            Tie::Mixture { excess } => (self.hi, self.hi_excess) = (t, Some(excess)),
            Tie::TooHot => (self.hi, self.hi_excess) = (t, None),
        }
    }
}

/// Relative accuracy of the temperature of a wet state.
const T_TOLERANCE: f64 = 1e-13;

/// The two-phase region: the temperature whose saturated liquid and vapour,
/// mixed to entropy s, have enthalpy h. Isotherms of wet steam are straight
/// lines in the h–s plane that fan out without crossing, so each (h, s)
/// under the saturation line lies on exactly one; on the temperatures where
/// s'(T) ≤ s ≤ s''(T) the excess enthalpy of `tie` rises with T. Bisection
/// first finds such a temperature with a positive excess, then the Illinois
/// method converges on the root.
fn solve_wet(h: f64, s: f64) -> Result<Verdict> {
    let side = if s <= S_C {
        Zone::Region1
    } else {
        Zone::Region2
    };
    let lo_excess = match tie(h, s, T_MIN)? {
        Tie::TooHot => {
            return Ok(Verdict::Elsewhere {
                next: side,
                here: None,
            });
        }
        Tie::Mixture { excess } if excess > EDGE * H_SCALE_MIN => return Err(below_273(h, s)),
        Tie::Mixture { excess } => excess,
    };
    if lo_excess >= 0.0 {
        // On the 273.15 K isotherm itself.
        return wet_state(h, T_MIN).map(Verdict::Inside);
    }
    let mut bracket = Bracket {
        lo: T_MIN,
        lo_excess,
        hi: TC,
        hi_excess: None,
    };
    // SR4-04 eq. 9 narrows the search to a tenth of a kelvin; between
    // s'(623.15 K) and s''(623.15 K), SR3-03 eq. 11 caps it just above the
    // saturation temperature of entropy s, the hottest tie line through s.
    let near = |t: f64| [t - 0.05, t + 0.05];
    let candidates = if s >= S_VAPOUR_623 {
        near(t_sat_hs(h, s))
    } else if s >= S_LIQUID_623 {
        [f64::NAN, region4::tsat(p3sat_s(s).min(PC)) + 0.05]
    } else {
        [f64::NAN; 2]
    };
    for t in candidates {
        if t > bracket.lo && t < bracket.hi {
            bracket.narrow(t, tie(h, s, t)?);
        }
    }
    while bracket.hi_excess.is_none() && bracket.hi - bracket.lo > T_TOLERANCE * bracket.hi {
        let mid = 0.5 * (bracket.lo + bracket.hi);
        bracket.narrow(mid, tie(h, s, mid)?);
    }
    if let Some(hi_excess) = bracket.hi_excess {
        let excess = |t| match tie(h, s, t)? {
            Tie::Mixture { excess } => Ok(excess),
            Tie::TooHot => Ok(f64::MAX),
        };
        let t = roots::illinois(
            excess,
            (bracket.lo, bracket.lo_excess),
            (bracket.hi, hi_excess),
            T_TOLERANCE,
        )?;
        return wet_state(h, t).map(Verdict::Inside);
    }
    // Every mixture at the state's entropy is colder than h: (h, s) lies
    // above the saturation line, in the single-phase region next to its
    // point of entropy s (temperature lo), or on that point within round-off.
    let next = match (side, bracket.lo <= T_13) {
        (Zone::Region1, true) => Zone::Region1,
        (Zone::Region2, true) => Zone::Region2,
        _ => Zone::Region3,
    };
    let on_the_line = -bracket.lo_excess <= EDGE * h.abs().max(H_SCALE_MIN);
    let here = if on_the_line {
        Some(wet_state(h, bracket.lo)?)
    } else {
        None
    };
    Ok(Verdict::Elsewhere { next, here })
}

/// Wet steam at T with the dryness fraction that gives enthalpy h.
fn wet_state(h: f64, t: f64) -> Result<Point> {
    let (liquid, vapour) = saturated(t)?;
    let x = ((h - liquid.h) / (vapour.h - liquid.h)).clamp(0.0, 1.0);
    Ok(Point::TwoPhase {
        p: region4::psat(t),
        t,
        x,
    })
}

#[cfg(test)]
mod tests;
