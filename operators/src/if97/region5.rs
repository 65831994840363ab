//! Region 5: high-temperature steam. IAPWS R7-97(2012) section 9, with the
//! residual coefficients as revised in 2007 for the extension to 50 MPa.
//!
//! Units: p [MPa], T [K].

use super::constants::R;
use super::gibbs;
use super::props::{Caloric, Props};
use super::series::{Powers, Term, d_db, series, sums};

/// Reducing temperature T* of eq. 32 [K]; the reducing pressure p* is 1 MPa.
const T_STAR: f64 = 1000.0;

/// Ideal-gas part γ° = ln π + Σ n°·τ^J°, rows (0, J°, n°): R7-97(2012) table 37.
const IDEAL: [Term; 6] = [
    (0, 0, -0.13179983674201e2),
    (0, 1, 0.68540841634434e1),
    (0, -3, -0.24805148933466e-1),
    (0, -2, 0.36901534980333),
    (0, -1, -0.31161318213925e1),
    (0, 2, -0.32961626538917),
];

/// ∂γ°/∂τ rows.
const IDEAL_TAU: [Term; 5] = d_db(&IDEAL);

/// Residual part γʳ = Σ n·π^I·τ^J, rows (I, J, n): R7-97(2012) table 38.
const RESIDUAL: [Term; 6] = [
    (1, 1, 0.15736404855259e-2),
    (1, 2, 0.90153761673944e-3),
    (1, 3, -0.50270077677648e-2),
    (2, 3, 0.22440037409485e-5),
    (2, 9, -0.41163275453471e-5),
    (3, 7, 0.37919454822955e-7),
];

/// ∂γʳ/∂τ rows.
const RESIDUAL_TAU: [Term; 6] = d_db(&RESIDUAL);

/// All properties from the Gibbs free energy (eq. 32, tables 37 and 38),
/// with the relations of table 39, the same as region 2's ([`gibbs`]).
pub(crate) fn props(p: f64, t: f64) -> Props {
    gibbs::props(p, t, &reduced(p, t))
}

/// h, s and their derivatives for Newton iterations in (p, T) ([`gibbs::caloric`]).
#[inline]
pub(crate) fn caloric(p: f64, t: f64) -> Caloric {
    gibbs::caloric(p, t, &reduced(p, t))
}

/// The reduced derivatives of γ of eq. 32 (see [`gibbs::Reduced`]).
#[inline(always)]
fn reduced(p: f64, t: f64) -> gibbs::Reduced {
    let tau = T_STAR / t;
    let tau_pow = Powers::<4, 10>::with_inverse(tau, t / T_STAR);
    let pi_pow = Powers::<1, 4>::new(p);
    let id = sums(&IDEAL, |_| 1.0, |j| tau_pow.get(j));
    let re = sums(&RESIDUAL, |i| pi_pow.get(i), |j| tau_pow.get(j));
    gibbs::Reduced {
        gamma: p.ln() + id.s0 + re.s0,
        pi_gr_pi: re.si,
        pi2_gr_pipi: re.sii,
        tau_pi_gr_pitau: re.sij,
        tau_g_tau: id.sj + re.sj,
        tau2_g_tautau: id.sjj + re.sjj,
    }
}

/// Specific enthalpy only: h = R·T·τ·γ_τ = R·T*·(γ°_τ + γʳ_τ).
pub(crate) fn h(p: f64, t: f64) -> f64 {
    let tau = T_STAR / t;
    let tau_pow = Powers::<5, 9>::with_inverse(tau, t / T_STAR);
    let pi_pow = Powers::<1, 4>::new(p);
    let ideal = series(&IDEAL_TAU, |_| 1.0, |j| tau_pow.get(j));
    let residual = series(&RESIDUAL_TAU, |i| pi_pow.get(i), |j| tau_pow.get(j));
    R * T_STAR * (ideal + residual)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::if97::test_support::{
        Row, TABLE_TOLERANCE, assert_caloric, assert_identities, assert_rel, assert_row,
    };
    use proptest::prelude::*;

    /// R7-97(2012) table 42 (the revised coefficients of 2007).
    const TABLE_42: [Row; 3] = [
        Row {
            t: 1500.0,
            p: 0.5,
            v: 0.138455090e1,
            h: 0.521976855e4,
            u: 0.452749310e4,
            s: 0.965408875e1,
            cp: 0.261609445e1,
            w: 0.917068690e3,
        },
        Row {
            t: 1500.0,
            p: 30.0,
            v: 0.230761299e-1,
            h: 0.516723514e4,
            u: 0.447495124e4,
            s: 0.772970133e1,
            cp: 0.272724317e1,
            w: 0.928548002e3,
        },
        Row {
            t: 2000.0,
            p: 30.0,
            v: 0.311385219e-1,
            h: 0.657122604e4,
            u: 0.563707038e4,
            s: 0.853640523e1,
            cp: 0.288569882e1,
            w: 0.106736948e4,
        },
    ];

    #[test]
    fn table_42_region_5() {
        for row in &TABLE_42 {
            assert_row(props, row);
            assert_rel("fast h", h(row.p, row.t), row.h, TABLE_TOLERANCE);
        }
    }

    /// The Newton derivatives agree with the property set and with
    /// central differences in p.
    #[test]
    fn caloric_matches_props() {
        for (p, t) in [
            (0.5, 1500.0),
            (30.0, 1500.0),
            (30.0, 2000.0),
            (50.0, 1073.15),
        ] {
            assert_caloric(props, caloric, p, t);
        }
    }

    #[test]
    fn derived_properties_obey_thermodynamic_identities() {
        for row in &TABLE_42 {
            assert_identities(props, row.p, row.t, 1e-6);
        }
        assert_identities(props, 50.0, 1073.15, 1e-6);
    }

    proptest! {
        #[test]
        fn h_is_u_plus_pv_and_matches_the_fast_path(t in 1073.15..=2273.15_f64, p in 1e-3..=50.0_f64) {
            let all = props(p, t);
            prop_assert!((all.u + 1000.0 * p * all.v - all.h).abs() <= 1e-12 * all.h);
            prop_assert!((h(p, t) - all.h).abs() <= 1e-12 * all.h);
        }
    }
}
