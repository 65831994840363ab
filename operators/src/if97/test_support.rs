//! Test support shared by the IF97 modules: comparison with the
//! verification tables of the releases, thermodynamic identities that tie
//! the derived properties (cp, cv, w) to numerical derivatives of h, s and v,
//! and a grid of region 3 states.

use super::boundaries::b23_p;
use super::constants::TC;
use super::props::{Caloric, Props};
use super::region3;

/// The tolerance of the verification tests: the tables print 9 significant digits.
pub(crate) const TABLE_TOLERANCE: f64 = 1e-8;

/// |actual − expected| / |expected|.
pub(crate) fn relative(actual: f64, expected: f64) -> f64 {
    ((actual - expected) / expected).abs()
}

/// Asserts |got − want| ≤ rel·|want|.
#[track_caller]
pub(crate) fn assert_rel(what: &str, got: f64, want: f64, rel: f64) {
    assert!(
        (got - want).abs() <= rel * want.abs(),
        "{what}: got {got:.12e}, want {want:.12e} (relative error {:.2e})",
        relative(got, want)
    );
}

/// One column of a forward-equation verification table: T, p and
/// v, h, u, s, cp, w as printed in the release.
pub(crate) struct Row {
    pub t: f64,
    pub p: f64,
    pub v: f64,
    pub h: f64,
    pub u: f64,
    pub s: f64,
    pub cp: f64,
    pub w: f64,
}

/// Checks every printed property of a verification-table column.
#[track_caller]
pub(crate) fn assert_row(props: fn(f64, f64) -> Props, row: &Row) {
    let got = props(row.p, row.t);
    let at = format!("T = {} K, p = {} MPa", row.t, row.p);
    assert_rel(&format!("v at {at}"), got.v, row.v, TABLE_TOLERANCE);
    assert_rel(&format!("h at {at}"), got.h, row.h, TABLE_TOLERANCE);
    assert_rel(&format!("u at {at}"), got.u, row.u, TABLE_TOLERANCE);
    assert_rel(&format!("s at {at}"), got.s, row.s, TABLE_TOLERANCE);
    assert_rel(&format!("cp at {at}"), got.cp, row.cp, TABLE_TOLERANCE);
    assert_rel(&format!("w at {at}"), got.w, row.w, TABLE_TOLERANCE);
    assert_eq!((got.p, got.t), (row.p, row.t));
}

/// Checks the derived properties against central differences of the
/// primary ones at (p, T):
/// cp = (∂h/∂T)_p, cp = T(∂s/∂T)_p, v = (∂g/∂p)_T with g = h − Ts,
/// cv = cp + T·(∂v/∂T)²_p/(∂v/∂p)_T and
/// w² = −v²/[(∂v/∂p)_T + T·(∂v/∂T)²_p/cp] (with the unit factors of
/// kJ = MPa·dm³ and MPa = 10⁶ Pa), and h = u + p·v.
#[track_caller]
pub(crate) fn assert_identities(props: fn(f64, f64) -> Props, p: f64, t: f64, rel: f64) {
    let at = props(p, t);
    let (dt, dp) = (1e-5 * t, 1e-5 * p);
    let (t_hi, t_lo) = (props(p, t + dt), props(p, t - dt));
    let (p_hi, p_lo) = (props(p + dp, t), props(p - dp, t));
    let gibbs = |x: &Props| x.h - x.t * x.s;
    let v_t = (t_hi.v - t_lo.v) / (2.0 * dt);
    let v_p = (p_hi.v - p_lo.v) / (2.0 * dp);
    let here = format!("T = {t} K, p = {p} MPa");
    assert_rel(
        &format!("h = u + pv at {here}"),
        at.u + 1000.0 * p * at.v,
        at.h,
        1e-13,
    );
    assert_rel(
        &format!("cp = dh/dT at {here}"),
        (t_hi.h - t_lo.h) / (2.0 * dt),
        at.cp,
        rel,
    );
    assert_rel(
        &format!("cp = T ds/dT at {here}"),
        t * (t_hi.s - t_lo.s) / (2.0 * dt),
        at.cp,
        rel,
    );
    assert_rel(
        &format!("v = dg/dp at {here}"),
        (gibbs(&p_hi) - gibbs(&p_lo)) / (2.0 * dp) / 1000.0,
        at.v,
        rel,
    );
    assert_rel(
        &format!("cv at {here}"),
        at.cp + 1000.0 * t * v_t * v_t / v_p,
        at.cv,
        rel,
    );
    let w2 = -1e6 * at.v * at.v / (v_p + 1000.0 * t * v_t * v_t / at.cp);
    assert_rel(&format!("w at {here}"), w2.sqrt(), at.w, rel);
}

/// A grid of (ρ, T) states inside single-phase region 3: above the B23
/// line, at most 100 MPa, and below Tc only well inside the liquid
/// (ρ'(623.15 K) ≈ 575 kg/m³) so the grid needs no saturation line.
pub(crate) fn region3_grid() -> Vec<(f64, f64)> {
    let mut states = Vec::new();
    for it in 0..=24 {
        let t = 623.15 + 10.0 * f64::from(it);
        for ir in 0..=34 {
            let rho = 100.0 + 20.0 * f64::from(ir);
            let p = region3::p(rho, t);
            let liquid_or_supercritical = t > TC || rho >= 620.0;
            if p <= 100.0 && p > b23_p(t) && liquid_or_supercritical {
                states.push((rho, t));
            }
        }
    }
    assert!(states.len() > 300, "grid has {} states", states.len());
    states
}

/// Checks [`Caloric`] at (p, T) against the property set of the same
/// region: h, s and cp to round-off, ∂h/∂p and ∂s/∂p against central
/// differences of h and s in p.
#[track_caller]
pub(crate) fn assert_caloric(
    props: fn(f64, f64) -> Props,
    caloric: fn(f64, f64) -> Caloric,
    p: f64,
    t: f64,
) {
    let (at, c) = (props(p, t), caloric(p, t));
    let here = format!("T = {t} K, p = {p} MPa");
    assert_rel(&format!("h at {here}"), c.h, at.h, 1e-14);
    assert_rel(&format!("s at {here}"), c.s, at.s, 1e-14);
    assert_rel(&format!("cp at {here}"), c.cp, at.cp, 1e-14);
    // In the cold liquid s hardly depends on p, so the step must be wide to
    // stay clear of the round-off of s; Richardson's extrapolation of two
    // central differences removes the truncation error a wide step brings.
    let slope = |f: fn(&Props) -> f64| {
        let central = |dp: f64| (f(&props(p + dp, t)) - f(&props(p - dp, t))) / (2.0 * dp);
        let dp = 1e-3 * p;
        (4.0 * central(0.5 * dp) - central(dp)) / 3.0
    };
    assert_rel(&format!("dh/dp at {here}"), c.dh_dp, slope(|x| x.h), 1e-6);
    assert_rel(&format!("ds/dp at {here}"), c.ds_dp, slope(|x| x.s), 1e-6);
}
