//! Region 4: the saturation line. IAPWS R7-97(2012) section 8.
//!
//! Units: p [MPa], T [K]. The reducing quantities p* = 1 MPa and T* = 1 K.

/// n₁…n₁₀ of the saturation equation (eq. 29): R7-97(2012) table 34.
const N: [f64; 10] = [
    0.11670521452767e4,
    -0.72421316703206e6,
    -0.17073846940092e2,
    0.12020824702470e5,
    -0.32325550322333e7,
    0.14915108613530e2,
    -0.48232657361591e4,
    0.40511340542057e6,
    -0.23855557567849,
    0.65017534844798e3,
];

/// B, C and the discriminant B² − 4AC of eq. 30 at T, with A, B, C
/// quadratics in ϑ = T + n₉/(T − n₁₀).
const fn eq30_quadratic(t: f64) -> (f64, f64, f64) {
    let [n1, n2, n3, n4, n5, n6, n7, n8, n9, n10] = N;
    let theta = t + n9 / (t - n10);
    let a = theta * (theta + n1) + n2;
    let b = theta * (n3 * theta + n4) + n5;
    let c = theta * (n6 * theta + n7) + n8;
    (b, c, b * b - 4.0 * a * c)
}

/// Eq. 30 from its quadratic and the square root of its discriminant.
const fn eq30_pressure(b: f64, c: f64, root: f64) -> f64 {
    let x = 2.0 * c / (root - b);
    let x2 = x * x;
    x2 * x2
}

/// Saturation pressure from temperature, eq. 30 (273.15 K ≤ T ≤ 647.096 K):
/// p = [2C / (−B + (B² − 4AC)^½)]⁴.
pub(crate) fn psat(t: f64) -> f64 {
    let (b, c, discriminant) = eq30_quadratic(t);
    eq30_pressure(b, c, discriminant.sqrt())
}

/// Whether p ≥ psat(T), for 273.15 K ≤ T ≤ 623.15 K: on or above the
/// saturation pressure, as [`psat`] computes it, is liquid (region 1).
///
/// The answer is exactly `p >= psat(t)`, mostly without computing psat:
/// a table of psat on a 0.25 K grid brackets psat(T) between its values at
/// the grid points either side (psat rises with T), and only a pressure
/// within [`GRID_MARGIN`] of that bracket needs eq. 30 itself. That saves
/// two divisions and a square root on the path of every h(p,T) below
/// 623.15 K, whose region 1 / region 2 choice this is.
#[inline]
pub(crate) fn at_or_above_psat(p: f64, t: f64) -> bool {
    // Truncation is the floor here, as the dispatcher has checked
    // T ≥ 273.15 K; a T off the grid (a negative index wraps to a huge one)
    // falls through to eq. 30. The cast goes through i32: a saturating cast
    // to usize costs several times more instructions than the whole test.
    let k = ((t - GRID_T_MIN) * GRID_PER_KELVIN) as i32 as usize;
    if let (Some(&lo), Some(&hi)) = (PSAT_GRID.get(k), PSAT_GRID.get(k.wrapping_add(1))) {
        if p >= hi * (1.0 + GRID_MARGIN) {
            return true;
        }
        if p < lo * (1.0 - GRID_MARGIN) {
            return false;
        }
    }
    p >= psat(t)
}

/// First temperature of the psat grid [K].
const GRID_T_MIN: f64 = 273.15;
/// Grid points per kelvin.
const GRID_PER_KELVIN: f64 = 4.0;
/// Grid points from 273.15 K to 623.15 K.
const GRID_POINTS: usize = 1401;
/// Relative margin around the bracket within which psat is computed: far
/// above the difference between the tabulated and the computed psat
/// (1e-15) and the rounding of the grid index, far below the width of a
/// bracket (at least 0.5 %).
const GRID_MARGIN: f64 = 1e-9;

/// psat(273.15 K + k/4 K), k = 0 … 1400, evaluated at compile time.
static PSAT_GRID: [f64; GRID_POINTS] = psat_grid();

const fn psat_grid() -> [f64; GRID_POINTS] {
    let mut grid = [0.0; GRID_POINTS];
    let mut k = 0;
    while k < GRID_POINTS {
        let t = GRID_T_MIN + k as f64 / GRID_PER_KELVIN;
        let (b, c, discriminant) = eq30_quadratic(t);
        grid[k] = eq30_pressure(b, c, const_sqrt(discriminant));
        k += 1;
    }
    grid
}

/// √x for finite x > 0 at compile time, where `f64::sqrt` is not
/// available: Newton's iteration from a guess that halves the exponent
/// (within 6 %), to round-off in six steps.
const fn const_sqrt(x: f64) -> f64 {
    let mut y = f64::from_bits((x.to_bits() >> 1) + 0x1FF8_0000_0000_0000);
    let mut step = 0;
    while step < 6 {
        y = 0.5 * (y + x / y);
        step += 1;
    }
    y
}

/// Saturation temperature from pressure, eq. 31 (611.213 Pa ≤ p ≤ 22.064 MPa):
/// T = [n₁₀ + D − ((n₁₀ + D)² − 4(n₉ + n₁₀D))^½] / 2 with D from E, F, G,
/// quadratics in β = p^¼.
pub(crate) fn tsat(p: f64) -> f64 {
    let [n1, n2, n3, n4, n5, n6, n7, n8, n9, n10] = N;
    // Two square roots are far cheaper than powf(0.25). The four square
    // roots and one division of eq. 31 share one unpipelined unit, so the
    // arithmetic is ordered to keep it between them short: the β² parts of
    // E, F, G are ready while β is still being computed.
    let beta2 = p.sqrt();
    let beta = beta2.sqrt();
    let (e2, f2, g2) = (beta2 + n6, n1 * beta2 + n7, n2 * beta2 + n8);
    let e = e2 + n3 * beta;
    let f = f2 + n4 * beta;
    let g = g2 + n5 * beta;
    let d = 2.0 * g / (-f - (f * f - 4.0 * e * g).sqrt());
    // (n₁₀ + D)² − 4(n₉ + n₁₀D) = (D − n₁₀)² − 4n₉: the same discriminant
    // without subtracting two numbers near 1.7·10⁶ close to the critical point.
    let u = d - n10;
    0.5 * (n10 + d - (u * u - 4.0 * n9).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::if97::test_support::{TABLE_TOLERANCE, assert_rel};
    use proptest::prelude::*;

    /// R7-97(2012) table 35: (T [K], p [MPa]).
    #[test]
    fn table_35_psat() {
        for (t, p) in [
            (300.0, 0.353658941e-2),
            (500.0, 0.263889776e1),
            (600.0, 0.123443146e2),
        ] {
            assert_rel(&format!("psat({t})"), psat(t), p, TABLE_TOLERANCE);
        }
    }

    /// R7-97(2012) table 36: (p [MPa], T [K]).
    #[test]
    fn table_36_tsat() {
        for (p, t) in [
            (0.1, 0.372755919e3),
            (1.0, 0.453035632e3),
            (10.0, 0.584149488e3),
        ] {
            assert_rel(&format!("tsat({p})"), tsat(p), t, TABLE_TOLERANCE);
        }
    }

    #[test]
    fn the_ends_of_the_saturation_line() {
        // The critical point (eq. 30 at Tc gives pc to the release's digits)
        // and the lowest IF97 temperature.
        assert_rel("psat(Tc)", psat(647.096), 22.064, 1e-8);
        assert_rel("tsat(pc)", tsat(22.064), 647.096, 1e-8);
        assert_rel("psat(273.15 K)", psat(273.15), 0.611_212_677e-3, 1e-8);
    }

    /// The compile-time grid equals eq. 30 evaluated at run time at every
    /// grid point, to far inside the margin the bracket test relies on.
    #[test]
    fn psat_grid_matches_eq_30() {
        for (k, &tabulated) in PSAT_GRID.iter().enumerate() {
            let t = GRID_T_MIN + k as f64 / GRID_PER_KELVIN;
            assert_rel(&format!("grid psat({t})"), tabulated, psat(t), 1e-14);
        }
        assert_rel(
            "last grid point",
            PSAT_GRID[GRID_POINTS - 1],
            psat(623.15),
            1e-14,
        );
        assert!(PSAT_GRID.windows(2).all(|w| w[0] < w[1]));
        for x in [1e-300, 0.3, 1.0, 2.0, 1e7, 1.7e308] {
            assert_rel(&format!("sqrt({x})"), const_sqrt(x), x.sqrt(), 2.3e-16);
        }
    }

    /// On the saturation line, one ulp off it, and at the grid points
    /// themselves, the bracket test answers exactly as p ≥ psat(T).
    #[test]
    fn at_or_above_psat_on_and_near_the_line() {
        let mut temperatures = vec![273.15, 273.16, 300.0, 373.124, 500.0, 623.15];
        temperatures.extend(
            (0..GRID_POINTS)
                .step_by(7)
                .map(|k| GRID_T_MIN + k as f64 / 4.0),
        );
        for t in temperatures {
            let ps = psat(t);
            for p in [
                ps,
                ps.next_up(),
                ps.next_down(),
                ps * 1.000_000_001,
                ps * 0.999_999_999,
            ] {
                assert_eq!(at_or_above_psat(p, t), p >= ps, "p = {p:e}, T = {t}");
            }
        }
    }

    proptest! {
        /// The bracket test agrees with eq. 30 over the whole range, near the
        /// saturation line and far from it.
        #[test]
        fn at_or_above_psat_is_p_at_least_psat(t in 273.15..=623.15_f64, ln_ratio in -0.05..0.05_f64, far in -20.0..5.0_f64) {
            let ps = psat(t);
            for p in [ps * ln_ratio.exp(), ps * far.exp()] {
                prop_assert_eq!(at_or_above_psat(p, t), p >= ps, "p = {:e}, T = {}", p, t);
            }
        }

        /// Eqs. 30 and 31 are exact inverses of each other (both solve eq. 29).
        #[test]
        fn psat_inverts_tsat(p in 0.000_611_213..=22.064_f64) {
            let back = psat(tsat(p));
            prop_assert!((back - p).abs() <= 1e-12 * p, "p = {p}: {back}");
        }

        #[test]
        fn tsat_inverts_psat(t in 273.15..=647.096_f64) {
            let back = tsat(psat(t));
            prop_assert!((back - t).abs() <= 1e-12 * t, "T = {t}: {back}");
        }
    }
}
