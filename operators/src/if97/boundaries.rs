//! Boundary equations of IAPWS R7-97(2012): B23 between regions 2 and 3
//! (section 4, eqs. 5 and 6) and B2bc between subregions 2b and 2c (eq. 20);
//! and the boundary h_2ab(s) between subregions 2a and 2b of the p(h,s)
//! backward equations (SR2-01 eq. 2).
//!
//! Units: p [MPa], T [K], h [kJ/kg], s [kJ/(kg K)]. All reducing quantities
//! are 1 in these units.

/// B23 coefficients n₁…n₅: R7-97(2012) table 1.
const B23: [f64; 5] = [
    0.34805185628969e3,
    -0.11671859879975e1,
    0.10192970039326e-2,
    0.57254459862746e3,
    0.13918839778870e2,
];

/// B2bc coefficients n₁…n₅: R7-97(2012) table 19.
const B2BC: [f64; 5] = [
    0.90584278514723e3,
    -0.67955786399241,
    0.12809002730136e-3,
    0.26526571908428e4,
    0.45257578905948e1,
];

/// h_2ab coefficients n₁…n₄ of SR2-01 eq. 2.
const H2AB: [f64; 4] = [
    -0.349898083432139e4,
    0.257560716905876e4,
    -0.421073558227969e3,
    0.276349063799944e2,
];

/// Pressure on the B23 line from temperature, eq. 5: π = n₁ + n₂θ + n₃θ².
pub(crate) fn b23_p(t: f64) -> f64 {
    let [n1, n2, n3, _, _] = B23;
    n1 + t * (n2 + t * n3)
}

/// Temperature on the B23 line from pressure, eq. 6: θ = n₄ + ((π − n₅)/n₃)^½.
pub(crate) fn b23_t(p: f64) -> f64 {
    let [_, _, n3, n4, n5] = B23;
    n4 + ((p - n5) / n3).sqrt()
}

/// Pressure on the B2bc line from enthalpy, eq. 20: π = n₁ + n₂η + n₃η².
pub(crate) fn b2bc_p(h: f64) -> f64 {
    let [n1, n2, n3, _, _] = B2BC;
    n1 + h * (n2 + h * n3)
}

/// Enthalpy of the boundary between subregions 2a and 2b of the p(h,s)
/// backward equations (nearly the 4 MPa isobar), SR2-01 eq. 2:
/// η = n₁ + n₂σ + n₃σ² + n₄σ³.
pub(crate) fn h2ab(s: f64) -> f64 {
    let [n1, n2, n3, n4] = H2AB;
    n1 + s * (n2 + s * (n3 + s * n4))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::if97::test_support::{TABLE_TOLERANCE, assert_rel};

    #[track_caller]
    fn assert_close(got: f64, want: f64) {
        assert_rel("boundary check value", got, want, TABLE_TOLERANCE);
    }

    /// R7-97(2012) section 4: T = 623.15 K ↔ p = 16.5291643 MPa.
    #[test]
    fn b23_check_values() {
        assert_close(b23_p(623.15), 0.165291643e2);
        assert_close(b23_t(0.165291643e2), 0.62315e3);
    }

    /// R7-97(2012) section 6.3.1: h = 3516.004323 kJ/kg gives p = 100 MPa.
    #[test]
    fn b2bc_check_value() {
        assert_close(b2bc_p(0.3516004323e4), 0.1e3);
    }

    /// SR2-01 section 5 (table 9 note): s = 7 kJ/(kg K) ↔ h = 3376.437884 kJ/kg.
    #[test]
    fn h2ab_check_value() {
        assert_close(h2ab(7.0), 0.3376437884e4);
    }
}
