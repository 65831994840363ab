//! Region 3: the critical region, from the Helmholtz free energy f(ρ,T).
//! IAPWS R7-97(2012) section 7.
//!
//! With δ = ρ/ρc, τ = Tc/T and φ = f/(RT) = n₁ ln δ + Σᵢ₌₂⁴⁰ nᵢ δ^Iᵢ τ^Jᵢ
//! (eq. 28), every property is a combination of the sums of [`Sums`] over
//! the terms of table 30 (table 31).
//!
//! Units: ρ [kg/m³], p [MPa], T [K].

use super::constants::{R, RHOC, TC};
use super::props::Props;
use super::series::{Powers, Sums, Term, sums, unrolled};

/// n₁ of R7-97(2012) table 30, the coefficient of the logarithmic term n₁·ln δ.
const N1: f64 = 0.10658070028513e1;

/// (Iᵢ, Jᵢ, nᵢ) for i = 2…40 of R7-97(2012) table 30.
const TERMS: [Term; 39] = [
    (0, 0, -0.15732845290239e2),
    (0, 1, 0.20944396974307e2),
    (0, 2, -0.76867707878716e1),
    (0, 7, 0.26185947787954e1),
    (0, 10, -0.28080781148620e1),
    (0, 12, 0.12053369696517e1),
    (0, 23, -0.84566812812502e-2),
    (1, 2, -0.12654315477714e1),
    (1, 6, -0.11524407806681e1),
    (1, 15, 0.88521043984318),
    (1, 17, -0.64207765181607),
    (2, 0, 0.38493460186671),
    (2, 2, -0.85214708824206),
    (2, 6, 0.48972281541877e1),
    (2, 7, -0.30502617256965e1),
    (2, 22, 0.39420536879154e-1),
    (2, 26, 0.12558408424308),
    (3, 0, -0.27999329698710),
    (3, 2, 0.13899799569460e1),
    (3, 4, -0.20189915023570e1),
    (3, 16, -0.82147637173963e-2),
    (3, 26, -0.47596035734923),
    (4, 0, 0.43984074473500e-1),
    (4, 2, -0.44476435428739),
    (4, 4, 0.90572070719733),
    (4, 26, 0.70522450087967),
    (5, 1, 0.10770512626332),
    (5, 3, -0.32913623258954),
    (5, 26, -0.50871062041158),
    (6, 0, -0.22175400873096e-1),
    (6, 2, 0.94260751665092e-1),
    (6, 26, 0.16436278447961),
    (7, 2, -0.13503372241348e-1),
    (8, 26, -0.14834345352472e-1),
    (9, 2, 0.57922953628084e-3),
    (9, 26, 0.32308904703711e-2),
    (10, 0, 0.80964802996215e-4),
    (10, 1, -0.16557679795037e-3),
    (11, 26, -0.44923899061815e-4),
];

/// Powers of δ (I ≤ 11) and τ (J ≤ 26) for table 30.
type DeltaPowers = Powers<1, 12>;
type TauPowers = Powers<1, 27>;

/// δ = ρ/ρc and the power tables of δ and τ = Tc/T.
fn powers(rho: f64, t: f64) -> (f64, DeltaPowers, TauPowers) {
    let delta = rho / RHOC;
    (delta, Powers::new(delta), Powers::new(TC / t))
}

/// φ and its derivatives in reduced form (R7-97(2012) table 32, each
/// multiplied by the powers of δ and τ of its derivatives), at (ρ, T).
#[derive(Clone, Copy, Debug)]
struct Phi {
    /// φ.
    phi: f64,
    /// δφ_δ, the compressibility factor p/(ρRT).
    z: f64,
    /// δ²φ_δδ.
    dd: f64,
    /// τφ_τ.
    t: f64,
    /// τ²φ_ττ.
    tt: f64,
    /// δτφ_δτ.
    dt: f64,
}

impl Phi {
    fn at(rho: f64, t: f64) -> Phi {
        let (delta, d_pow, t_pow) = powers(rho, t);
        let Sums {
            s0,
            si,
            sii,
            sj,
            sjj,
            sij,
        } = sums(&TERMS, |i| d_pow.get(i), |j| t_pow.get(j));
        // The sums weight each term by I, I(I − 1), J, J(J − 1) and IJ, which
        // is δ^I τ^J differentiated and multiplied back by δ and τ; n₁ ln δ
        // adds n₁ to δφ_δ and −n₁ to δ²φ_δδ.
        Phi {
            phi: N1 * delta.ln() + s0,
            z: N1 + si,
            dd: sii - N1,
            t: sj,
            tt: sjj,
            dt: sij,
        }
    }

    /// 2δφ_δ + δ²φ_δδ = (∂p/∂ρ)_T / (RT).
    fn dp_drho_reduced(&self) -> f64 {
        2.0 * self.z + self.dd
    }

    /// δφ_δ − δτφ_δτ = (∂p/∂T)_ρ / (ρR).
    fn dp_dt_reduced(&self) -> f64 {
        self.z - self.dt
    }
}

/// Pressure, enthalpy and entropy at (ρ, T) with their partial derivatives
/// with respect to ρ (at constant T) and T (at constant ρ), for Newton
/// iterations in (ρ, T). Units as in the release; derivatives per kg/m³ and per K.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Derivatives {
    pub p: f64,
    pub h: f64,
    pub s: f64,
    pub dp_drho: f64,
    pub dp_dt: f64,
    pub dh_drho: f64,
    pub dh_dt: f64,
    pub ds_drho: f64,
    pub ds_dt: f64,
}

/// p, h, s and their first derivatives in ρ and T, from table 32 of
/// R7-97(2012) differentiated once more:
/// (∂p/∂ρ)_T = RT(2δφ_δ + δ²φ_δδ), (∂p/∂T)_ρ = ρR(δφ_δ − δτφ_δτ),
/// (∂h/∂ρ)_T = (RT/ρ)(δφ_δ + δ²φ_δδ + δτφ_δτ), (∂h/∂T)_ρ = R(δφ_δ − δτφ_δτ − τ²φ_ττ),
/// (∂s/∂ρ)_T = (R/ρ)(δτφ_δτ − δφ_δ), (∂s/∂T)_ρ = −Rτ²φ_ττ/T.
pub(crate) fn derivatives(rho: f64, t: f64) -> Derivatives {
    let f = Phi::at(rho, t);
    let rt = R * t;
    // R T ρ is in kJ/m³ = kPa; the release's pressure is in MPa.
    let kpa_to_mpa = 1e-3;
    Derivatives {
        p: rho * rt * f.z * kpa_to_mpa,
        h: rt * (f.t + f.z),
        s: R * (f.t - f.phi),
        dp_drho: rt * f.dp_drho_reduced() * kpa_to_mpa,
        dp_dt: rho * R * f.dp_dt_reduced() * kpa_to_mpa,
        dh_drho: rt / rho * (f.z + f.dd + f.dt),
        dh_dt: R * (f.dp_dt_reduced() - f.tt),
        ds_drho: R / rho * (f.dt - f.z),
        ds_dt: -R * f.tt / t,
    }
}

/// All properties from the Helmholtz free energy (eq. 28, tables 30 and 31).
pub(crate) fn props(rho: f64, t: f64) -> Props {
    let f = Phi::at(rho, t);
    let rt = R * t;
    let cv_reduced = -f.tt;
    let dp_dt = f.dp_dt_reduced();
    let dp_drho = f.dp_drho_reduced();
    // Table 31: cp and w from the isochoric quantities. The speed of sound
    // is in m/s from R in J/(kg K), hence the factor 1000.
    let cp = R * (cv_reduced + dp_dt * dp_dt / dp_drho);
    let w2 = 1e3 * rt * (dp_drho + dp_dt * dp_dt / cv_reduced);
    Props {
        p: rho * rt * f.z * 1e-3,
        t,
        v: 1.0 / rho,
        u: rt * f.t,
        h: rt * (f.t + f.z),
        s: R * (f.t - f.phi),
        cp,
        cv: R * cv_reduced,
        w: w2.sqrt(),
    }
}

/// The pressure on an isotherm at one density, with what a Newton
/// iteration for the density needs.
#[derive(Clone, Copy, Debug)]
pub(crate) struct IsothermPoint {
    /// p [MPa].
    pub p: f64,
    /// (∂p/∂ρ)_T [MPa m³/kg].
    pub slope: f64,
    /// A bound on the rounding error of p [MPa]: the terms of δφ_δ are
    /// often far larger than their sum (in the dense liquid near 623 K they
    /// cancel by four orders of magnitude), so p is only good to
    /// ε·ρRT·Σ|terms|, up to about 1e-12 relative, not to ε·p.
    pub round_off: f64,
}

/// Pressure, (∂p/∂ρ)_T and the rounding error of p at (ρ, T) (table 31):
/// p/(ρRT) = δφ_δ = n₁ + Σ nᵢ Iᵢ δ^Iᵢ τ^Jᵢ and
/// (∂p/∂ρ)_T/(RT) = 2δφ_δ + δ²φ_δδ = n₁ + Σ nᵢ Iᵢ (Iᵢ + 1) δ^Iᵢ τ^Jᵢ.
pub(crate) fn isotherm_point(rho: f64, t: f64) -> IsothermPoint {
    let (_, d_pow, t_pow) = powers(rho, t);
    let (mut z, mut slope, mut magnitude) = ([N1, 0.0], [N1, 0.0], [N1.abs(), 0.0]);
    unrolled::<39>(|k| {
        let (i, j, n) = TERMS[k];
        if i != 0 {
            let fi = f64::from(i);
            let term = fi * n * d_pow.get(i) * t_pow.get(j);
            z[k % 2] += term;
            slope[k % 2] += (fi + 1.0) * term;
            magnitude[k % 2] += term.abs();
        }
    });
    // R is in kJ/(kg K): ρRT comes out in kPa.
    let rt = R * t * 1e-3;
    IsothermPoint {
        p: rho * rt * (z[0] + z[1]),
        slope: rt * (slope[0] + slope[1]),
        round_off: rho * rt * (magnitude[0] + magnitude[1]) * f64::EPSILON,
    }
}

/// Pressure only: p = ρRT·δφ_δ (table 31).
pub(crate) fn p(rho: f64, t: f64) -> f64 {
    isotherm_point(rho, t).p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::if97::test_support::assert_rel;

    /// R7-97(2012) table 33: properties at (T, ρ) = (650 K, 500 kg/m³),
    /// (650 K, 200 kg/m³), (750 K, 500 kg/m³).
    #[test]
    fn r7_97_table_33() {
        // (T, ρ, p, h, u, s, cp, w)
        let table = [
            (
                650.0, 500.0, 25.5837018, 1863.43019, 1812.26279, 4.05427273, 13.8935717,
                502.005554,
            ),
            (
                650.0, 200.0, 22.2930643, 2375.12401, 2263.65868, 4.85438792, 44.6579342,
                383.444594,
            ),
            (
                750.0, 500.0, 78.3095639, 2258.68845, 2102.06932, 4.46971906, 6.34165359,
                760.696041,
            ),
        ];
        for (t, rho, p, h, u, s, cp, w) in table {
            let props = props(rho, t);
            assert_rel("p", props.p, p, 1e-8);
            assert_rel("h", props.h, h, 1e-8);
            assert_rel("u", props.u, u, 1e-8);
            assert_rel("s", props.s, s, 1e-8);
            assert_rel("cp", props.cp, cp, 1e-8);
            assert_rel("w", props.w, w, 1e-8);
            assert_rel("v", props.v, 1.0 / rho, 1e-15);
            assert_rel("p alone", super::p(rho, t), p, 1e-8);
        }
    }

    /// u = h − pv and cp ≥ cv hold for the evaluated set.
    #[test]
    fn internal_consistency() {
        for (rho, t) in [(300.0, 700.0), (600.0, 630.0), (150.0, 800.0)] {
            let props = props(rho, t);
            assert_rel("u", props.u, props.h - props.p * 1e3 * props.v, 1e-13);
            assert!(props.cp > props.cv && props.cv > 0.0 && props.w > 0.0);
        }
    }

    /// The analytic derivatives agree with central differences.
    #[test]
    fn derivatives_match_finite_differences() {
        for (rho, t) in [
            (500.0, 650.0),
            (200.0, 650.0),
            (700.0, 640.0),
            (120.0, 850.0),
        ] {
            let d = derivatives(rho, t);
            let props = props(rho, t);
            assert_rel("p", d.p, props.p, 1e-14);
            assert_rel("h", d.h, props.h, 1e-14);
            assert_rel("s", d.s, props.s, 1e-14);
            let (dr, dt) = (1e-4 * rho, 1e-4 * t);
            let at = |rho, t| derivatives(rho, t);
            let (rp, rm) = (at(rho + dr, t), at(rho - dr, t));
            let (tp, tm) = (at(rho, t + dt), at(rho, t - dt));
            let fd = |plus: f64, minus: f64, step: f64| (plus - minus) / (2.0 * step);
            assert_rel("dp/drho", d.dp_drho, fd(rp.p, rm.p, dr), 1e-6);
            assert_rel("dh/drho", d.dh_drho, fd(rp.h, rm.h, dr), 1e-6);
            assert_rel("ds/drho", d.ds_drho, fd(rp.s, rm.s, dr), 1e-6);
            assert_rel("dp/dT", d.dp_dt, fd(tp.p, tm.p, dt), 1e-6);
            assert_rel("dh/dT", d.dh_dt, fd(tp.h, tm.h, dt), 1e-6);
            assert_rel("ds/dT", d.ds_dt, fd(tp.s, tm.s, dt), 1e-6);
            // cv = T (∂s/∂T)_ρ.
            assert_rel("cv", props.cv, t * d.ds_dt, 1e-13);
        }
    }
}
