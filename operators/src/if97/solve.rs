//! Locating a state from each pair of inputs: which region, and where in it.
//!
//! Backward equations give a first estimate; regions 1, 2 and 5 are then
//! refined by Newton iteration on the forward equation so that the returned
//! state reproduces the given h or s to round-off, not to the backward
//! equation's few millikelvin.

use super::boundaries::b23_t;
use super::constants::*;
use super::error::{If97Error, Result, finite};
use super::props::Props;
use super::state::{Point, Region, saturated_from_regions_1_and_2};
use super::{region1, region2, region3, region3_backward, region3_vpt, region4, region5};

const P_NAME: &str = "pressure [MPa]";
const T_NAME: &str = "temperature [K]";
const H_NAME: &str = "specific enthalpy [kJ/kg]";
const S_NAME: &str = "specific entropy [kJ/(kg K)]";
const X_NAME: &str = "dryness fraction";

/// Most Newton steps taken; each converges quadratically from the backward
/// estimate, so more than a handful means the input sits on a boundary.
const MAX_NEWTON: usize = 16;

#[inline]
fn check_pressure(p: f64) -> Result<f64> {
    let p = finite(P_NAME, p)?;
    if p > 0.0 && p <= P_MAX {
        Ok(p)
    } else {
        Err(If97Error::OutOfRange {
            quantity: P_NAME,
            value: p,
            range: "0 < p ≤ 100 MPa",
        })
    }
}

/// The region of a (p, T) point, with the ranges of validity checked.
#[inline]
pub(crate) fn region_pt(p: f64, t: f64) -> Result<Region> {
    let p = check_pressure(p)?;
    let t = finite(T_NAME, t)?;
    if !(T_MIN..=T_MAX).contains(&t) {
        return Err(If97Error::OutOfRange {
            quantity: T_NAME,
            value: t,
            range: "273.15 K ≤ T ≤ 2273.15 K",
        });
    }
    if t > T_25 {
        return if p <= P_MAX_5 {
            Ok(Region::R5)
        } else {
            Err(If97Error::OutOfRange {
                quantity: P_NAME,
                value: p,
                range: "p ≤ 50 MPa above 1073.15 K (region 5)",
            })
        };
    }
    if t <= T_13 {
        return Ok(if region4::at_or_above_psat(p, t) {
            Region::R1
        } else {
            Region::R2
        });
    }
    if t <= T_B23_MAX && p > super::boundaries::b23_p(t) {
        Ok(Region::R3)
    } else {
        Ok(Region::R2)
    }
}

/// Locates (p, T).
pub(crate) fn point_pt(p: f64, t: f64) -> Result<Point> {
    let region = region_pt(p, t)?;
    Ok(match region {
        Region::R3 => Point::RhoT {
            rho: region3_vpt::rho_pt(p, t)?,
            t,
        },
        _ => Point::PT { region, p, t },
    })
}

/// Specific enthalpy from (p, T), the fast path.
#[inline]
pub(crate) fn h_pt(p: f64, t: f64) -> Result<f64> {
    Ok(match region_pt(p, t)? {
        Region::R1 => region1::h(p, t),
        Region::R2 => region2::h(p, t),
        Region::R5 => region5::h(p, t),
        _ => region3::props(region3_vpt::rho_pt(p, t)?, t).h,
    })
}

/// What a (p, y) solver needs of its second input y (h or s).
#[derive(Clone, Copy)]
struct Along {
    name: &'static str,
    /// Below this magnitude residuals in y count as absolute: h and s pass
    /// through zero in the liquid at 273.16 K.
    scale: f64,
    /// A value between the saturated liquid's y and the saturated vapour's
    /// y at every pressure up to psat(623.15 K) (h' ≤ 1671 kJ/kg < 2000 <
    /// 2500 kJ/kg ≤ h''; s' ≤ 3.78 < 4.5 < 5.21 ≤ s'' kJ/(kg K)): it tells
    /// which saturated phase to compare with first.
    between: f64,
    /// y of a property set.
    of: fn(&Props) -> f64,
    /// y alone in regions 1, 2 and 5: the region and saturation checks need
    /// only y, and the enthalpy fast paths are cheaper still.
    y1: fn(f64, f64) -> f64,
    y2: fn(f64, f64) -> f64,
    y5: fn(f64, f64) -> f64,
    /// y and ∂y/∂T at constant p (cp for h, cp/T for s) in regions 1, 2
    /// and 5, for the Newton iteration on T.
    newton_1: fn(f64, f64) -> (f64, f64),
    newton_2: fn(f64, f64) -> (f64, f64),
    newton_5: fn(f64, f64) -> (f64, f64),
    backward_1: fn(f64, f64) -> f64,
    backward_2: fn(f64, f64) -> f64,
    region_3: fn(f64, f64) -> Result<(f64, f64)>,
}

const ALONG_H: Along = Along {
    name: H_NAME,
    scale: 10.0,
    between: 2000.0,
    of: |p| p.h,
    y1: region1::h,
    y2: region2::h,
    y5: region5::h,
    newton_1: |p, t| {
        let c = region1::caloric(p, t);
        (c.h, c.cp)
    },
    newton_2: |p, t| {
        let c = region2::caloric(p, t);
        (c.h, c.cp)
    },
    newton_5: |p, t| {
        let c = region5::caloric(p, t);
        (c.h, c.cp)
    },
    backward_1: region1::t_ph,
    backward_2: region2::t_ph,
    region_3: region3_backward::rho_t_ph,
};

const ALONG_S: Along = Along {
    name: S_NAME,
    scale: 0.1,
    between: 4.5,
    of: |p| p.s,
    y1: |p, t| region1::caloric(p, t).s,
    y2: |p, t| region2::caloric(p, t).s,
    y5: |p, t| region5::caloric(p, t).s,
    newton_1: |p, t| {
        let c = region1::caloric(p, t);
        (c.s, c.cp / t)
    },
    newton_2: |p, t| {
        let c = region2::caloric(p, t);
        (c.s, c.cp / t)
    },
    newton_5: |p, t| {
        let c = region5::caloric(p, t);
        (c.s, c.cp / t)
    },
    backward_1: region1::t_ps,
    backward_2: region2::t_ps,
    region_3: region3_backward::rho_t_ps,
};

/// Newton steps at most this long relative to T end the iteration: the
/// forward y then reproduces the given one to round-off.
const STEP_TOLERANCE: f64 = 1e-13;

/// Predicted errors at most this large relative to T (half an ulp) end the
/// iteration after the step that predicts them: see [`refine_t`].
const PREDICTED_ERROR: f64 = 1e-16;

/// Largest residual |y(T) − y| a converged iteration may leave, relative to
/// max(|y|, `Along::scale`): where the root lies outside the temperature
/// range, the clamped iterate settles on the range's end with a residual.
const RESIDUAL_TOLERANCE: f64 = 1e-9;

/// Newton iteration on T at constant p until the forward y (`newton`: y and
/// ∂y/∂T) matches, within `t_range`. An iteration that does not settle, or
/// settles with a residual larger than [`RESIDUAL_TOLERANCE`] (a root
/// outside `t_range`, where the clamped iterate cannot follow it), has no
/// solution.
///
/// The iteration ends when a step is at round-off, or earlier, when the
/// steps show that the one just taken leaves an error below half an ulp:
/// Newton's error contracts as e' ≈ K·e², the steps so far estimate
/// K ≈ |sₖ|/sₖ₋₁², so the error after step sₖ is about |sₖ|³/sₖ₋₁². From the
/// backward equations' few millikelvin that spares the evaluation which
/// would only confirm convergence (steps that do not contract
/// quadratically never predict a small error).
fn refine_t(
    along: Along,
    newton: fn(f64, f64) -> (f64, f64),
    p: f64,
    y: f64,
    mut t: f64,
    t_range: (f64, f64),
) -> Result<f64> {
    // No step yet: no prediction until one has been taken.
    let mut last_step = 0.0;
    for _ in 0..MAX_NEWTON {
        let (y_t, slope) = newton(p, t);
        let dy = y_t - y;
        let step = dy / slope;
        if !step.is_finite() {
            break;
        }
        let next = (t - step).clamp(t_range.0, t_range.1);
        let size = step.abs();
        let converged = size <= STEP_TOLERANCE * t
            || size * size * size <= PREDICTED_ERROR * t * last_step * last_step;
        if converged {
            // The residual left by the step as taken: nonzero only where the
            // range clamped it.
            let left = dy - slope * (t - next);
            if left.abs() <= RESIDUAL_TOLERANCE * y.abs().max(along.scale) {
                return Ok(next);
            }
            break;
        }
        last_step = size;
        t = next;
    }
    Err(If97Error::NoSolution(format!(
        "p = {p} MPa and {} = {y}: the iteration on the temperature between {} K and {} K \
         did not converge",
        along.name, t_range.0, t_range.1
    )))
}

fn out_of_range(along: Along, y: f64, range: &'static str) -> If97Error {
    If97Error::OutOfRange {
        quantity: along.name,
        value: y,
        range,
    }
}

/// Compressed liquid (region 1) up to `t_max`, from the backward equation.
fn liquid(along: Along, p: f64, y: f64, t_max: f64) -> Result<Point> {
    let guess = (along.backward_1)(p, y);
    let t = refine_t(along, along.newton_1, p, y, guess, (T_MIN, t_max))?;
    Ok(Point::PT {
        region: Region::R1,
        p,
        t,
    })
}

/// Regions 2 and 5, above the saturated-vapour or B23 line.
fn vapour_side(along: Along, p: f64, y: f64) -> Result<Point> {
    let region_2 = |t| Point::PT {
        region: Region::R2,
        p,
        t,
    };
    let guess = (along.backward_2)(p, y);
    // The backward equation is within 25 mK of region 2's own temperature:
    // a guess a kelvin short of 1073.15 K is region 2, which a converged
    // iteration confirms, without evaluating y at 1073.15 K.
    if guess < T_25 - 1.0
        && let Ok(t) = refine_t(along, along.newton_2, p, y, guess, (T_MIN, T_25))
    {
        return Ok(region_2(t));
    }
    if y <= (along.y2)(p, T_25) {
        let t = refine_t(along, along.newton_2, p, y, guess, (T_MIN, T_25))?;
        return Ok(region_2(t));
    }
    if p > P_MAX_5 {
        return Err(out_of_range(
            along,
            y,
            "at most its value at 1073.15 K above 50 MPa",
        ));
    }
    if y > (along.y5)(p, T_MAX) {
        return Err(out_of_range(along, y, "at most its value at 2273.15 K"));
    }
    // No backward equation exists for region 5; start from a linearisation at its lower edge.
    let (y_25, slope_25) = (along.newton_5)(p, T_25);
    let guess = T_25 + (y_25 - y).abs() / slope_25;
    let t = refine_t(along, along.newton_5, p, y, guess.min(T_MAX), (T_25, T_MAX))?;
    Ok(Point::PT {
        region: Region::R5,
        p,
        t,
    })
}

/// Up to psat(623.15 K): region 1, the two-phase region of regions 1 and
/// 2, or regions 2 and 5. The saturated phase on `y`'s side of
/// `Along::between` is compared first, and the other only for wet steam.
fn below_psat_623(along: Along, p: f64, y: f64) -> Result<Point> {
    let ts = region4::tsat(p);
    let wet = |y_l: f64, y_v: f64| Point::TwoPhase {
        p,
        t: ts,
        x: (y - y_l) / (y_v - y_l),
    };
    if y < along.between {
        let y_l = (along.y1)(p, ts);
        if y <= y_l {
            return liquid(along, p, y, ts);
        }
        let y_v = (along.y2)(p, ts);
        if y < y_v {
            return Ok(wet(y_l, y_v));
        }
        vapour_side(along, p, y)
    } else {
        let y_v = (along.y2)(p, ts);
        if y >= y_v {
            return vapour_side(along, p, y);
        }
        let y_l = (along.y1)(p, ts);
        if y <= y_l {
            return liquid(along, p, y, ts);
        }
        Ok(wet(y_l, y_v))
    }
}

/// Above psat(623.15 K): region 1 up to 623.15 K, regions 2 and 5 beyond
/// the B23 line, region 3 between them (and its two-phase region below pc).
fn above_psat_623(along: Along, p: f64, y: f64) -> Result<Point> {
    if y <= (along.y1)(p, T_13) {
        return liquid(along, p, y, T_13);
    }
    if y >= (along.y2)(p, b23_t(p)) {
        return vapour_side(along, p, y);
    }
    if p < PC {
        let ts = region4::tsat(p);
        let saturated_liquid = region3::props(region3_vpt::rho_saturated_liquid(ts)?, ts);
        let saturated_vapour = region3::props(region3_vpt::rho_saturated_vapour(ts)?, ts);
        let (y_l, y_v) = ((along.of)(&saturated_liquid), (along.of)(&saturated_vapour));
        if y > y_l && y < y_v {
            return Ok(Point::TwoPhase {
                p,
                t: ts,
                x: (y - y_l) / (y_v - y_l),
            });
        }
    }
    let (rho, t) = (along.region_3)(p, y)?;
    Ok(Point::RhoT { rho, t })
}

/// Locates (p, y) for y = h or s.
fn point_p_along(along: Along, p: f64, y: f64) -> Result<Point> {
    let p = check_pressure(p)?;
    let y = finite(along.name, y)?;
    let point = if p < P_SAT_273 {
        vapour_side(along, p, y)
    } else if saturated_from_regions_1_and_2(p) {
        below_psat_623(along, p, y)
    } else {
        above_psat_623(along, p, y)
    };
    // IF97 ends at 273.15 K: a y below its value there has no state, which
    // the iteration finds by not converging. It is checked only then, to
    // spare every call an evaluation at 273.15 K.
    point.map_err(|error| {
        let lowest = if p < P_SAT_273 { along.y2 } else { along.y1 };
        if y < lowest(p, T_MIN) {
            out_of_range(along, y, "at least its value at 273.15 K")
        } else {
            error
        }
    })
}

/// Locates (p, h).
pub(crate) fn point_ph(p: f64, h: f64) -> Result<Point> {
    point_p_along(ALONG_H, p, h)
}

/// Locates (p, s).
pub(crate) fn point_ps(p: f64, s: f64) -> Result<Point> {
    point_p_along(ALONG_S, p, s)
}

pub(crate) fn check_dryness(x: f64) -> Result<f64> {
    let x = finite(X_NAME, x)?;
    if (0.0..=1.0).contains(&x) {
        Ok(x)
    } else {
        Err(If97Error::OutOfRange {
            quantity: X_NAME,
            value: x,
            range: "0 ≤ x ≤ 1",
        })
    }
}

/// Locates wet steam from (p, x).
pub(crate) fn point_px(p: f64, x: f64) -> Result<Point> {
    let p = finite(P_NAME, p)?;
    let x = check_dryness(x)?;
    if !(P_SAT_273..=PC).contains(&p) {
        return Err(If97Error::OutOfRange {
            quantity: P_NAME,
            value: p,
            range: "611.213 Pa ≤ p ≤ 22.064 MPa on the saturation line",
        });
    }
    Ok(Point::TwoPhase {
        p,
        t: region4::tsat(p),
        x,
    })
}

/// Locates wet steam from (T, x).
pub(crate) fn point_tx(t: f64, x: f64) -> Result<Point> {
    let t = finite(T_NAME, t)?;
    let x = check_dryness(x)?;
    if !(T_MIN..=TC).contains(&t) {
        return Err(If97Error::OutOfRange {
            quantity: T_NAME,
            value: t,
            range: "273.15 K ≤ T ≤ 647.096 K on the saturation line",
        });
    }
    Ok(Point::TwoPhase {
        p: region4::psat(t),
        t,
        x,
    })
}

/// Saturation temperature, with the range checked.
#[inline]
pub(crate) fn tsat(p: f64) -> Result<f64> {
    let p = finite(P_NAME, p)?;
    if (P_SAT_273..=PC).contains(&p) {
        Ok(region4::tsat(p))
    } else {
        Err(If97Error::OutOfRange {
            quantity: P_NAME,
            value: p,
            range: "611.213 Pa ≤ p ≤ 22.064 MPa",
        })
    }
}

/// Saturation pressure, with the range checked.
#[inline]
pub(crate) fn psat(t: f64) -> Result<f64> {
    let t = finite(T_NAME, t)?;
    if (T_MIN..=TC).contains(&t) {
        Ok(region4::psat(t))
    } else {
        Err(If97Error::OutOfRange {
            quantity: T_NAME,
            value: t,
            range: "273.15 K ≤ T ≤ 647.096 K",
        })
    }
}

/// Highest pressure of the metastable-vapour equation [MPa] (R7-97(2012) section 6.2).
const P_MAX_METASTABLE: f64 = 10.0;

/// Least equilibrium dryness of metastable vapour: the equation holds down
/// to the 5 % equilibrium-moisture line (R7-97(2012) section 6.2).
const X_MIN_METASTABLE: f64 = 0.95;

/// Metastable (supercooled) vapour, R7-97(2012) eq. 18, with the range of
/// validity of section 6.2 checked: from the triple-point pressure (eq. 9)
/// to 10 MPa, at or below the saturation temperature Tsat(p), and down to
/// the 5 % equilibrium-moisture line.
///
/// The release fixes that line by "the equilibrium h' and h'' values
/// calculated at the given pressure": the metastable state's enthalpy, were
/// it to settle into equilibrium wet steam at the same p and h, would have
/// dryness x = (h − h')/(h'' − h') ≥ 0.95. (At constant p, h is what an
/// adiabatic relaxation conserves.) Below that line the temperature is too
/// low for the pressure, so the error names the temperature.
pub(crate) fn metastable_pt(p: f64, t: f64) -> Result<Props> {
    let p = finite(P_NAME, p)?;
    if !(P_TRIPLE..=P_MAX_METASTABLE).contains(&p) {
        return Err(If97Error::OutOfRange {
            quantity: P_NAME,
            value: p,
            range: "611.657 Pa ≤ p ≤ 10 MPa for metastable vapour",
        });
    }
    let t = finite(T_NAME, t)?;
    let ts = region4::tsat(p);
    if !(T_MIN..=ts).contains(&t) {
        return Err(If97Error::OutOfRange {
            quantity: T_NAME,
            value: t,
            range: "273.15 K ≤ T ≤ Tsat(p) for metastable vapour (above Tsat(p) use state_pt)",
        });
    }
    let props = region2::props_metastable(p, t);
    let (h_liquid, h_vapour) = (region1::h(p, ts), region2::h(p, ts));
    let dryness = (props.h - h_liquid) / (h_vapour - h_liquid);
    if dryness >= X_MIN_METASTABLE {
        Ok(props)
    } else {
        Err(If97Error::OutOfRange {
            quantity: T_NAME,
            value: t,
            range: "at least the temperature of the 5 % equilibrium-moisture line at this pressure \
                    for metastable vapour",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// At psat(623.15 K) and one ulp either side, in the release's units:
    /// a wet state located from (p, h) or (p, s) reproduces its h or s, its
    /// saturated phases taken from the same side as the solver's bounds.
    #[test]
    fn wet_steam_reproduces_its_input_at_psat_623_k() {
        use super::super::state::evaluate;
        for p in [P_SAT_623.next_down(), P_SAT_623, P_SAT_623.next_up()] {
            for x in [0.001, 0.5, 0.999] {
                let wet = evaluate(point_px(p, x).unwrap()).unwrap();
                let h = wet.h.kj_per_kg();
                let from_h = evaluate(point_ph(p, h).unwrap()).unwrap();
                assert!(
                    (from_h.h.kj_per_kg() - h).abs() <= 1e-13 * h,
                    "p = {p:.17}, x = {x}"
                );
                let s = wet.s.kj_per_kg_k();
                let from_s = evaluate(point_ps(p, s).unwrap()).unwrap();
                assert!(
                    (from_s.s.kj_per_kg_k() - s).abs() <= 1e-13 * s,
                    "p = {p:.17}, x = {x}"
                );
            }
        }
    }

    /// A root outside the range the iteration may explore is no solution,
    /// not the clamped end of the range.
    #[test]
    fn refine_t_reports_a_root_out_of_reach() {
        let (p, t) = (3.0, 400.0);
        let h = region1::h(p, t);
        let within = refine_t(ALONG_H, ALONG_H.newton_1, p, h, 390.0, (T_MIN, 450.0));
        assert!((within.unwrap() - t).abs() < 1e-9);
        let beyond = refine_t(ALONG_H, ALONG_H.newton_1, p, h, 330.0, (T_MIN, 350.0));
        assert!(
            matches!(beyond, Err(If97Error::NoSolution(_))),
            "{beyond:?}"
        );
        let s = region1::props(p, t).s;
        let beyond = refine_t(ALONG_S, ALONG_S.newton_1, p, s, 500.0, (450.0, 600.0));
        assert!(
            matches!(beyond, Err(If97Error::NoSolution(_))),
            "{beyond:?}"
        );
    }
}
