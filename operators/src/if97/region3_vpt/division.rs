//! Which backward equation applies where: the subregion boundary equations
//! T3xy(p) of IAPWS SR5-05(2016) and its division of region 3 into the
//! subregions 3a–3t (table 2) and, near the critical point, the auxiliary
//! subregions 3u–3z (table 10).
//!
//! Units: p [MPa], T [K]. All boundary equations are reduced with
//! p* = 1 MPa and T* = 1 K.

use super::subregion::Subregion;
use super::tables::*;
use crate::if97::region4;

/// Pressure where T3cd(p) meets the saturation line [MPa] (SR5-05 table 2).
pub(super) const P_3CD: f64 = 19.008_811_891_739_29;
/// Saturation pressure at 643.15 K [MPa] (R7-97 eq. 30), where T3qu and
/// T3rx meet the saturation line.
pub(super) const P_SAT_643: f64 = 21.043_367_318_975_25;
/// Pressure where T3uv(p) meets the saturation line [MPa] (SR5-05 table 10).
pub(super) const P_3UV_SAT: f64 = 21.931_615_51;
/// Pressure where T3wx(p) meets the saturation line [MPa] (SR5-05 table 10).
pub(super) const P_3WX_SAT: f64 = 21.900_962_65;

/// SR5-05 eq. 1: θ = Σ nᵢ π^Iᵢ with Iᵢ = 0, 1, 2, …, by Horner's scheme.
fn polynomial(n: &[f64], p: f64) -> f64 {
    n.iter().rev().fold(0.0, |sum, &c| sum * p + c)
}

/// SR5-05 eq. 2: θ = Σ nᵢ (ln π)^Iᵢ with Iᵢ = 0, 1, 2, −1, −2.
fn logarithmic(n: &[f64; 5], p: f64) -> f64 {
    let l = p.ln();
    n[0] + l * (n[1] + l * n[2]) + (n[3] + n[4] / l) / l
}

/// T3ab(p), eq. 2, table 1: approximately the critical isentrope.
pub(super) fn t3ab(p: f64) -> f64 {
    const N: [f64; 5] = [
        0.154793642129415e4,
        -0.187661219490113e3,
        0.213144632222113e2,
        -0.191887498864292e4,
        0.918419702359447e3,
    ];
    logarithmic(&N, p)
}

/// T3cd(p), eq. 1, table 1.
pub(super) fn t3cd(p: f64) -> f64 {
    const N: [f64; 4] = [
        0.585276966696349e3,
        0.278233532206915e1,
        -0.127283549295878e-1,
        0.159090746562729e-3,
    ];
    polynomial(&N, p)
}

/// T3ef(p), eq. 3: the straight line through the critical point with the
/// slope of the critical isochore, dT/dp = 3.727888004 K/MPa.
pub(super) fn t3ef(p: f64) -> f64 {
    3.727_888_004 * (p - 22.064) + 647.096
}

/// T3gh(p), eq. 1, table 1.
pub(super) fn t3gh(p: f64) -> f64 {
    const N: [f64; 5] = [
        -0.249284240900418e5,
        0.428143584791546e4,
        -0.269029173140130e3,
        0.751608051114157e1,
        -0.787105249910383e-1,
    ];
    polynomial(&N, p)
}

/// T3ij(p), eq. 1, table 1.
pub(super) fn t3ij(p: f64) -> f64 {
    const N: [f64; 5] = [
        0.584814781649163e3,
        -0.616179320924617,
        0.260763050899562,
        -0.587071076864459e-2,
        0.515308185433082e-4,
    ];
    polynomial(&N, p)
}

/// T3jk(p), eq. 1, table 1.
pub(super) fn t3jk(p: f64) -> f64 {
    const N: [f64; 5] = [
        0.617229772068439e3,
        -0.770600270141675e1,
        0.697072596851896,
        -0.157391839848015e-1,
        0.137897492684194e-3,
    ];
    polynomial(&N, p)
}

/// T3mn(p), eq. 1, table 1.
pub(super) fn t3mn(p: f64) -> f64 {
    const N: [f64; 4] = [
        0.535339483742384e3,
        0.761978122720128e1,
        -0.158365725441648,
        0.192871054508108e-2,
    ];
    polynomial(&N, p)
}

/// T3op(p), eq. 2, table 1.
pub(super) fn t3op(p: f64) -> f64 {
    const N: [f64; 5] = [
        0.969461372400213e3,
        -0.332500170441278e3,
        0.642859598466067e2,
        0.773845935768222e3,
        -0.152313732937084e4,
    ];
    logarithmic(&N, p)
}

/// T3qu(p), eq. 1, table 1.
pub(super) fn t3qu(p: f64) -> f64 {
    const N: [f64; 4] = [
        0.565603648239126e3,
        0.529062258221222e1,
        -0.102020639611016,
        0.122240301070145e-2,
    ];
    polynomial(&N, p)
}

/// T3rx(p), eq. 1, table 1.
pub(super) fn t3rx(p: f64) -> f64 {
    const N: [f64; 4] = [
        0.584561202520006e3,
        -0.102961025163669e1,
        0.243293362700452,
        -0.294905044740799e-2,
    ];
    polynomial(&N, p)
}

/// T3uv(p), eq. 1, with the coefficients of the auxiliary boundaries (section 4).
pub(super) fn t3uv(p: f64) -> f64 {
    const N: [f64; 4] = [
        0.528199646263062e3,
        0.890579602135307e1,
        -0.222814134903755,
        0.286791682263697e-2,
    ];
    polynomial(&N, p)
}

/// T3wx(p), eq. 2, with the coefficients of the auxiliary boundaries (section 4).
pub(super) fn t3wx(p: f64) -> f64 {
    const N: [f64; 5] = [
        0.728052609145380e1,
        0.973505869861952e2,
        0.147370491183191e2,
        0.329196213998375e3,
        0.873371668682417e3,
    ];
    logarithmic(&N, p)
}

/// The first subregion of `bands` whose upper temperature bound is at least
/// `t`, or `above` when `t` exceeds them all. Bounds belong to the lower
/// subregion, as in SR5-05 table 2 ("T3cd < T ≤ T3ab").
fn by_temperature(
    t: f64,
    bands: &[(f64, &'static Subregion)],
    above: &'static Subregion,
) -> &'static Subregion {
    bands
        .iter()
        .find(|(upper, _)| t <= *upper)
        .map_or(above, |&(_, sub)| sub)
}

/// Whether (p, T) lies on the liquid side of the saturation line, the line
/// itself included (R7-97 eq. 31). Only asked below the critical pressure.
fn liquid_side(p: f64, t: f64) -> bool {
    t <= region4::tsat(p)
}

/// The subregion of SR5-05 table 2 (and, within T3qu < T ≤ T3rx near the
/// critical point, of table 10) whose backward equation applies at (p, T)
/// in region 3.
pub(super) fn subregion(p: f64, t: f64) -> &'static Subregion {
    if p > 40.0 {
        by_temperature(t, &[(t3ab(p), &SUB_3A)], &SUB_3B)
    } else if p > 25.0 {
        let bands = [(t3cd(p), &SUB_3C), (t3ab(p), &SUB_3D), (t3ef(p), &SUB_3E)];
        by_temperature(t, &bands, &SUB_3F)
    } else if p > 23.5 {
        let bands = [
            (t3cd(p), &SUB_3C),
            (t3gh(p), &SUB_3G),
            (t3ef(p), &SUB_3H),
            (t3ij(p), &SUB_3I),
            (t3jk(p), &SUB_3J),
        ];
        by_temperature(t, &bands, &SUB_3K)
    } else if p > 23.0 {
        let bands = [
            (t3cd(p), &SUB_3C),
            (t3gh(p), &SUB_3L),
            (t3ef(p), &SUB_3H),
            (t3ij(p), &SUB_3I),
            (t3jk(p), &SUB_3J),
        ];
        by_temperature(t, &bands, &SUB_3K)
    } else if p > 22.5 {
        let bands = [
            (t3cd(p), &SUB_3C),
            (t3gh(p), &SUB_3L),
            (t3mn(p), &SUB_3M),
            (t3ef(p), &SUB_3N),
            (t3op(p), &SUB_3O),
            (t3ij(p), &SUB_3P),
            (t3jk(p), &SUB_3J),
        ];
        by_temperature(t, &bands, &SUB_3K)
    } else if p > P_SAT_643 {
        if t > t3qu(p) && t <= t3rx(p) {
            return near_critical(p, t);
        }
        let bands = [(t3cd(p), &SUB_3C), (t3qu(p), &SUB_3Q), (t3jk(p), &SUB_3R)];
        by_temperature(t, &bands, &SUB_3K)
    } else if p > 20.5 {
        if liquid_side(p, t) {
            by_temperature(t, &[(t3cd(p), &SUB_3C)], &SUB_3S)
        } else {
            by_temperature(t, &[(t3jk(p), &SUB_3R)], &SUB_3K)
        }
    } else if p > P_3CD {
        if liquid_side(p, t) {
            by_temperature(t, &[(t3cd(p), &SUB_3C)], &SUB_3S)
        } else {
            &SUB_3T
        }
    } else if liquid_side(p, t) {
        &SUB_3C
    } else {
        &SUB_3T
    }
}

/// The auxiliary subregions 3u–3z of SR5-05 table 10, for
/// p_sat(643.15 K) < p ≤ 22.5 MPa and T3qu(p) < T ≤ T3rx(p).
fn near_critical(p: f64, t: f64) -> &'static Subregion {
    if p > 22.11 {
        let bands = [(t3uv(p), &SUB_3U), (t3ef(p), &SUB_3V), (t3wx(p), &SUB_3W)];
        by_temperature(t, &bands, &SUB_3X)
    } else if p > 22.064 {
        let bands = [(t3uv(p), &SUB_3U), (t3ef(p), &SUB_3Y), (t3wx(p), &SUB_3Z)];
        by_temperature(t, &bands, &SUB_3X)
    } else if liquid_side(p, t) {
        if p > P_3UV_SAT {
            by_temperature(t, &[(t3uv(p), &SUB_3U)], &SUB_3Y)
        } else {
            &SUB_3U
        }
    } else if p > P_3WX_SAT {
        by_temperature(t, &[(t3wx(p), &SUB_3Z)], &SUB_3X)
    } else {
        &SUB_3X
    }
}

/// The subregion whose equation gives the saturated-liquid volume at
/// p = p_sat(T), p_sat(623.15 K) ≤ p ≤ 22.064 MPa: 3c, 3s, 3u, 3y in turn,
/// the subregions tables 2 and 10 put just left of the saturation line.
pub(super) fn saturated_liquid(p: f64) -> &'static Subregion {
    if p <= P_3CD {
        &SUB_3C
    } else if p <= P_SAT_643 {
        &SUB_3S
    } else if p <= P_3UV_SAT {
        &SUB_3U
    } else {
        &SUB_3Y
    }
}

/// The subregion whose equation gives the saturated-vapour volume at
/// p = p_sat(T), p_sat(623.15 K) ≤ p ≤ 22.064 MPa: 3t, 3r, 3x, 3z in turn,
/// the subregions tables 2 and 10 put just right of the saturation line.
pub(super) fn saturated_vapour(p: f64) -> &'static Subregion {
    if p <= 20.5 {
        &SUB_3T
    } else if p <= P_SAT_643 {
        &SUB_3R
    } else if p <= P_3WX_SAT {
        &SUB_3X
    } else {
        &SUB_3Z
    }
}
