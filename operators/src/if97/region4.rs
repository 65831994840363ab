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

/// Saturation pressure from temperature, eq. 30 (273.15 K ≤ T ≤ 647.096 K):
/// p = [2C / (−B + (B² − 4AC)^½)]⁴ with A, B, C quadratics in
/// ϑ = T + n₉/(T − n₁₀).
pub(crate) fn psat(t: f64) -> f64 {
    let [n1, n2, n3, n4, n5, n6, n7, n8, n9, n10] = N;
    let theta = t + n9 / (t - n10);
    let a = theta * (theta + n1) + n2;
    let b = theta * (n3 * theta + n4) + n5;
    let c = theta * (n6 * theta + n7) + n8;
    let root = 2.0 * c / ((b * b - 4.0 * a * c).sqrt() - b);
    let root2 = root * root;
    root2 * root2
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

    proptest! {
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
