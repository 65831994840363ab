//! Region 1: compressed liquid. IAPWS R7-97(2012) section 5, and the
//! backward equations T(p,h), T(p,s) (section 5.2) and p(h,s) (SR2-01 / R7-97(2012) 5.2.3).
//!
//! Units: p [MPa], T [K], h [kJ/kg], s [kJ/(kg K)].

use super::constants::R;
use super::props::{Caloric, Props};
use super::series::{Powers, Term, d_db, series, sums};

/// Reducing pressure p* of eq. 7 [MPa].
const P_STAR: f64 = 16.53;
/// Reducing temperature T* of eq. 7 [K].
const T_STAR: f64 = 1386.0;

/// γ = Σ n·(7.1 − π)^I·(τ − 1.222)^J, rows (I, J, n): R7-97(2012) table 2.
const GIBBS: [Term; 34] = [
    (0, -2, 0.14632971213167),
    (0, -1, -0.84548187169114),
    (0, 0, -0.37563603672040e1),
    (0, 1, 0.33855169168385e1),
    (0, 2, -0.95791963387872),
    (0, 3, 0.15772038513228),
    (0, 4, -0.16616417199501e-1),
    (0, 5, 0.81214629983568e-3),
    (1, -9, 0.28319080123804e-3),
    (1, -7, -0.60706301565874e-3),
    (1, -1, -0.18990068218419e-1),
    (1, 0, -0.32529748770505e-1),
    (1, 1, -0.21841717175414e-1),
    (1, 3, -0.52838357969930e-4),
    (2, -3, -0.47184321073267e-3),
    (2, 0, -0.30001780793026e-3),
    (2, 1, 0.47661393906987e-4),
    (2, 3, -0.44141845330846e-5),
    (2, 17, -0.72694996297594e-15),
    (3, -4, -0.31679644845054e-4),
    (3, 0, -0.28270797985312e-5),
    (3, 6, -0.85205128120103e-9),
    (4, -5, -0.22425281908000e-5),
    (4, -2, -0.65171222895601e-6),
    (4, 10, -0.14341729937924e-12),
    (5, -8, -0.40516996860117e-6),
    (8, -11, -0.12734301741641e-8),
    (8, -6, -0.17424871230634e-9),
    (21, -29, -0.68762131295531e-18),
    (23, -31, 0.14478307828521e-19),
    (29, -38, 0.26335781662795e-22),
    (30, -39, -0.11947622640071e-22),
    (31, -40, 0.18228094581404e-23),
    (32, -41, -0.93537087292458e-25),
];

/// ∂γ/∂τ rows: the enthalpy needs only these.
const GIBBS_TAU: [Term; 30] = d_db(&GIBBS);

/// γ and its derivatives in the reduced form of table 4 (each multiplied by
/// the powers of π and τ of its derivatives): πγ_π, π²γ_ππ, τγ_τ, τ²γ_ττ
/// and πτγ_πτ.
#[derive(Clone, Copy)]
struct Reduced {
    gamma: f64,
    pi_g_pi: f64,
    pi2_g_pipi: f64,
    tau_g_tau: f64,
    tau2_g_tautau: f64,
    pi_tau_g_pitau: f64,
}

/// γ of eq. 7 and its derivatives at (p, T). Inlined, so that a caller that
/// needs only some of them evaluates only those sums.
#[inline(always)]
fn reduced(p: f64, t: f64) -> Reduced {
    let pi = p / P_STAR;
    let tau = T_STAR / t;
    // Bases of the series: x = 7.1 − π and y = τ − 1.222, both ≥ 1 in region 1.
    let x = 7.1 - pi;
    let (y, y_inv) = tau_base(t);
    let x_pow = Powers::<1, 33>::new(x);
    let y_pow = Powers::<42, 18>::with_inverse(y, y_inv);
    let g = sums(&GIBBS, |i| x_pow.get(i), |j| y_pow.get(j));
    // The derivative of (7.1 − π)^I brings a factor −1 per π-derivative.
    let (pix, tay) = (pi / x, tau * y_inv);
    Reduced {
        gamma: g.s0,
        pi_g_pi: -pix * g.si,
        pi2_g_pipi: pix * pix * g.sii,
        tau_g_tau: tay * g.sj,
        tau2_g_tautau: tay * tay * g.sjj,
        pi_tau_g_pitau: -pix * tay * g.sij,
    }
}

/// All properties from the Gibbs free energy (eq. 7, tables 3 and 4).
pub(crate) fn props(p: f64, t: f64) -> Props {
    let g = reduced(p, t);
    let rt = R * t;
    let coupling = g.pi_g_pi - g.pi_tau_g_pitau;
    let w2 = 1000.0 * rt * g.pi_g_pi * g.pi_g_pi
        / (coupling * coupling / g.tau2_g_tautau - g.pi2_g_pipi);
    Props {
        p,
        t,
        // R·T/p is in kJ/(kg MPa) = 10⁻³ m³/kg.
        v: rt / p * g.pi_g_pi / 1000.0,
        u: rt * (g.tau_g_tau - g.pi_g_pi),
        h: rt * g.tau_g_tau,
        s: R * (g.tau_g_tau - g.gamma),
        cp: -R * g.tau2_g_tautau,
        cv: R * (-g.tau2_g_tautau + coupling * coupling / g.pi2_g_pipi),
        w: w2.sqrt(),
    }
}

/// h, s and their derivatives for Newton iterations in (p, T), from
/// table 4: with v = (RT/p)·πγ_π and (∂v/∂T)_p = (R/p)(πγ_π − πτγ_πτ),
/// ∂h/∂p = (RT/p)·πτγ_πτ and ∂s/∂p = −(R/p)(πγ_π − πτγ_πτ).
#[inline]
pub(crate) fn caloric(p: f64, t: f64) -> Caloric {
    let g = reduced(p, t);
    let rt = R * t;
    Caloric {
        h: rt * g.tau_g_tau,
        s: R * (g.tau_g_tau - g.gamma),
        cp: -R * g.tau2_g_tautau,
        dh_dp: rt / p * g.pi_tau_g_pitau,
        ds_dp: -R / p * (g.pi_g_pi - g.pi_tau_g_pitau),
    }
}

/// Specific enthalpy only, the fast path: h = R·T·τ·γ_τ = R·T*·γ_τ, the one
/// derivative evaluated.
pub(crate) fn h(p: f64, t: f64) -> f64 {
    let x_pow = Powers::<1, 33>::new(7.1 - p / P_STAR);
    let (y, y_inv) = tau_base(t);
    let y_pow = Powers::<43, 17>::with_inverse(y, y_inv);
    R * T_STAR * series(&GIBBS_TAU, |i| x_pow.get(i), |j| y_pow.get(j))
}

/// The base y = τ − 1.222 of eq. 7 and its reciprocal, from one division:
/// with a = T* − 1.222·T, y = a/T and 1/y = T/a, so both are products with
/// 1/(a·T). Dividing twice would double the time on the CPU's unpipelined
/// divider, which the enthalpy's cost is otherwise mostly spent waiting for.
fn tau_base(t: f64) -> (f64, f64) {
    let a = T_STAR - 1.222 * t;
    let r = 1.0 / (a * t);
    (a * a * r, t * t * r)
}

/// T(p,h) rows (I, J, n) of π^I·(η + 1)^J, η = h/(2500 kJ/kg): R7-97(2012) table 6.
const T_PH: [Term; 20] = [
    (0, 0, -0.23872489924521e3),
    (0, 1, 0.40421188637945e3),
    (0, 2, 0.11349746881718e3),
    (0, 6, -0.58457616048039e1),
    (0, 22, -0.15285482413140e-3),
    (0, 32, -0.10866707695377e-5),
    (1, 0, -0.13391744872602e2),
    (1, 1, 0.43211039183559e2),
    (1, 2, -0.54010067170506e2),
    (1, 3, 0.30535892203916e2),
    (1, 4, -0.65964749423638e1),
    (1, 10, 0.93965400878363e-2),
    (1, 32, 0.11573647505340e-6),
    (2, 10, -0.25858641282073e-4),
    (2, 32, -0.40644363084799e-8),
    (3, 10, 0.66456186191635e-7),
    (3, 32, 0.80670734103027e-10),
    (4, 32, -0.93477771213947e-12),
    (5, 32, 0.58265442020601e-14),
    (6, 32, -0.15020185953503e-16),
];

/// Backward T(p,h), eq. 11 (T* = 1 K, p* = 1 MPa).
pub(crate) fn t_ph(p: f64, h: f64) -> f64 {
    let pi = Powers::<1, 7>::new(p);
    let e = Powers::<1, 33>::new(h / 2500.0 + 1.0);
    series(&T_PH, |i| pi.get(i), |j| e.get(j))
}

/// T(p,s) rows (I, J, n) of π^I·(σ + 2)^J, σ = s/(1 kJ/(kg K)): R7-97(2012) table 8.
const T_PS: [Term; 20] = [
    (0, 0, 0.17478268058307e3),
    (0, 1, 0.34806930892873e2),
    (0, 2, 0.65292584978455e1),
    (0, 3, 0.33039981775489),
    (0, 11, -0.19281382923196e-6),
    (0, 31, -0.24909197244573e-22),
    (1, 0, -0.26107636489332),
    (1, 1, 0.22592965981586),
    (1, 2, -0.64256463395226e-1),
    (1, 3, 0.78876289270526e-2),
    (1, 12, 0.35672110607366e-9),
    (1, 31, 0.17332496994895e-23),
    (2, 0, 0.56608900654837e-3),
    (2, 1, -0.32635483139717e-3),
    (2, 2, 0.44778286690632e-4),
    (2, 9, -0.51322156908507e-9),
    (2, 31, -0.42522657042207e-25),
    (3, 10, 0.26400441360689e-12),
    (3, 32, 0.78124600459723e-28),
    (4, 32, -0.30732199903668e-30),
];

/// Backward T(p,s), eq. 13 (T* = 1 K, p* = 1 MPa).
pub(crate) fn t_ps(p: f64, s: f64) -> f64 {
    let pi = Powers::<1, 5>::new(p);
    let g = Powers::<1, 33>::new(s + 2.0);
    series(&T_PS, |i| pi.get(i), |j| g.get(j))
}

/// p(h,s) rows (I, J, n) of (η + 0.05)^I·(σ + 0.05)^J with η = h/(3400 kJ/kg),
/// σ = s/(7.6 kJ/(kg K)): SR2-01 table 2.
const P_HS: [Term; 19] = [
    (0, 0, -0.691997014660582),
    (0, 1, -0.183612548787560e2),
    (0, 2, -0.928332409297335e1),
    (0, 4, 0.659639569909906e2),
    (0, 5, -0.162060388912024e2),
    (0, 6, 0.450620017338667e3),
    (0, 8, 0.854680678224170e3),
    (0, 14, 0.607523214001162e4),
    (1, 0, 0.326487682621856e2),
    (1, 1, -0.269408844582931e2),
    (1, 4, -0.319947848334300e3),
    (1, 6, -0.928354307043320e3),
    (2, 0, 0.303634537455249e2),
    (2, 1, -0.650540422444146e2),
    (2, 10, -0.430991316516130e4),
    (3, 4, -0.747512324096068e3),
    (4, 1, 0.730000345529245e3),
    (4, 4, 0.114284032569021e4),
    (5, 0, -0.436407041874559e3),
];

/// Backward p(h,s), SR2-01 eq. 1 (p* = 100 MPa).
pub(crate) fn p_hs(h: f64, s: f64) -> f64 {
    let e = Powers::<1, 6>::new(h / 3400.0 + 0.05);
    let g = Powers::<1, 15>::new(s / 7.6 + 0.05);
    100.0 * series(&P_HS, |i| e.get(i), |j| g.get(j))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::if97::region4::psat;
    use crate::if97::test_support::{
        Row, TABLE_TOLERANCE, assert_caloric, assert_identities, assert_rel, assert_row,
    };
    use proptest::prelude::*;

    /// R7-97(2012) table 5.
    const TABLE_5: [Row; 3] = [
        Row {
            t: 300.0,
            p: 3.0,
            v: 0.100215168e-2,
            h: 0.115331273e3,
            u: 0.112324818e3,
            s: 0.392294792,
            cp: 0.417301218e1,
            w: 0.150773921e4,
        },
        Row {
            t: 300.0,
            p: 80.0,
            v: 0.971180894e-3,
            h: 0.184142828e3,
            u: 0.106448356e3,
            s: 0.368563852,
            cp: 0.401008987e1,
            w: 0.163469054e4,
        },
        Row {
            t: 500.0,
            p: 3.0,
            v: 0.120241800e-2,
            h: 0.975542239e3,
            u: 0.971934985e3,
            s: 0.258041912e1,
            cp: 0.465580682e1,
            w: 0.124071337e4,
        },
    ];

    #[test]
    fn table_5_region_1() {
        for row in &TABLE_5 {
            assert_row(props, row);
            assert_rel("fast h", h(row.p, row.t), row.h, TABLE_TOLERANCE);
        }
    }

    /// The Newton derivatives agree with the property set and with
    /// central differences in p.
    #[test]
    fn caloric_matches_props() {
        for (p, t) in [
            (3.0, 300.0),
            (80.0, 300.0),
            (3.0, 500.0),
            (100.0, 623.15),
            (0.1, 273.15),
        ] {
            assert_caloric(props, caloric, p, t);
        }
    }

    #[test]
    fn derived_properties_obey_thermodynamic_identities() {
        for row in &TABLE_5 {
            assert_identities(props, row.p, row.t, 1e-6);
        }
        assert_identities(props, 100.0, 623.15, 1e-6);
        assert_identities(props, 0.1, 273.15, 1e-6);
    }

    /// R7-97(2012) table 7: (p [MPa], h [kJ/kg], T [K]).
    #[test]
    fn table_7_t_ph() {
        for (p, h, t) in [
            (3.0, 500.0, 0.391798509e3),
            (80.0, 500.0, 0.378108626e3),
            (80.0, 1500.0, 0.611041229e3),
        ] {
            assert_rel(&format!("T({p}, {h})"), t_ph(p, h), t, TABLE_TOLERANCE);
        }
    }

    /// R7-97(2012) table 9: (p [MPa], s [kJ/(kg K)], T [K]).
    #[test]
    fn table_9_t_ps() {
        for (p, s, t) in [
            (3.0, 0.5, 0.307842258e3),
            (80.0, 0.5, 0.309979785e3),
            (80.0, 3.0, 0.565899909e3),
        ] {
            assert_rel(&format!("T({p}, {s})"), t_ps(p, s), t, TABLE_TOLERANCE);
        }
    }

    /// SR2-01 table 3: (h [kJ/kg], s [kJ/(kg K)], p [MPa]).
    #[test]
    fn sr2_01_table_3_p_hs() {
        for (h, s, p) in [
            (0.001, 0.0, 0.9800980612e-3),
            (90.0, 0.0, 0.9192954727e2),
            (1500.0, 3.4, 0.5868294423e2),
        ] {
            assert_rel(&format!("p({h}, {s})"), p_hs(h, s), p, TABLE_TOLERANCE);
        }
    }

    /// Region 1 as (p, T): T from 273.15 K to 623.15 K, p from the
    /// saturation pressure (the backward equations exclude the metastable
    /// superheated liquid) to 100 MPa.
    fn region_1() -> impl Strategy<Value = (f64, f64)> {
        (273.15..=623.15_f64, 0.0..=1.0_f64).prop_map(|(t, x)| {
            let p_low = psat(t);
            (p_low + x * (100.0 - p_low), t)
        })
    }

    proptest! {
        /// R7-97(2012) eq. 12: T(p,h) agrees with eq. 7 within 25 mK.
        #[test]
        fn t_ph_is_consistent_with_the_forward_equation((p, t) in region_1()) {
            let back = t_ph(p, h(p, t));
            prop_assert!((back - t).abs() <= 0.025, "T = {t}, p = {p}: {back}");
        }

        /// R7-97(2012) eq. 14: T(p,s) agrees with eq. 7 within 25 mK.
        #[test]
        fn t_ps_is_consistent_with_the_forward_equation((p, t) in region_1()) {
            let back = t_ps(p, props(p, t).s);
            prop_assert!((back - t).abs() <= 0.025, "T = {t}, p = {p}: {back}");
        }

        /// The fast path sums the same terms in another order: it agrees to
        /// round-off of terms the size of R·T* ≈ 640 kJ/kg, which near 273.16 K,
        /// where h passes through zero, is far more than round-off of h.
        #[test]
        fn h_is_u_plus_pv_and_matches_the_fast_path((p, t) in region_1()) {
            let all = props(p, t);
            prop_assert!((all.u + 1000.0 * p * all.v - all.h).abs() <= 1e-12 * all.h.abs().max(1.0));
            prop_assert!((h(p, t) - all.h).abs() <= 1e-12 * all.h.abs().max(R * T_STAR));
        }
    }
}
