//! Properties of dry air at low pressure, for convection correlations.
//!
//! - Viscosity and thermal conductivity: E. W. Lemmon and R. T. Jacobsen,
//!   "Viscosity and Thermal Conductivity Equations for Nitrogen, Oxygen,
//!   Argon, and Air", Int. J. Thermophys. 25 (2004) 21–69: the dilute-gas
//!   terms (eqs. 2–4 and 5 with tables 1, 2, 4) plus the residual terms
//!   (eq. 1 and 5, tables 3 and 4). The critical enhancement of λ is left
//!   out; it is negligible far from 132.6 K. The authors give the
//!   uncertainty as about 1 % (viscosity) and 2 % (conductivity) in the
//!   dilute gas.
//! - Density: ideal gas, M = 28.9586 g/mol (Lemmon & Jacobsen table 1);
//!   air at 1 atm departs from it by less than 0.1 % above 250 K.
//! - Isobaric heat capacity: the ideal-gas cp⁰ of E. W. Lemmon et al.,
//!   "Thermodynamic Properties of Air and Mixtures of Nitrogen, Argon, and
//!   Oxygen from 60 to 2000 K at Pressures to 2000 MPa", J. Phys. Chem.
//!   Ref. Data 29 (2000) 331–385, table 12 coefficients:
//!   cp⁰/R = N₁ + N₂T + N₃T² + N₄T³ + N₅T^(−3/2) + N₆u²eᵘ/(eᵘ − 1)² +
//!   N₇v²eᵛ/(eᵛ − 1)² + (2/3)N₈w²e^(−w)/((2/3)e^(−w) + 1)² with
//!   u = N₉/T, v = N₁₀/T, w = N₁₁/T. At 1 atm the real-gas part of cp is
//!   below 0.1 % above 250 K and is left out.
//! - Expansion coefficient β = 1/T (ideal gas).
//!
//! Checked against Incropera et al., *Fundamentals of Heat and Mass
//! Transfer*, table A.4 (air at 1 atm): μ and cp agree to about 1 %, k
//! to 2 % and Pr to 3 %: that table's older conductivities run up to 2 %
//! above Lemmon & Jacobsen's above 400 K. (Its densities are also about
//! 1 % below the ideal-gas value at 1 atm, which this module keeps.)

use crate::analysis::error::{CalcError, Result, finite};
use crate::units::{
    Density, DynamicViscosity, Pressure, SpecificHeatCapacity, Temperature, ThermalConductivity,
};

/// Molar mass of air [g/mol] (Lemmon & Jacobsen table 1).
const MOLAR_MASS: f64 = 28.9586;
/// Molar gas constant [J/(mol K)] used by Lemmon & Jacobsen.
const R_MOLAR: f64 = 8.314_51;
/// Reducing temperature Tc [K] and molar density ρc [mol/dm³] (table 1).
const T_C: f64 = 132.6312;
const RHO_C: f64 = 10.4477;
/// Lennard-Jones ε/k [K] and σ [nm] (table 1).
const EPS_K: f64 = 103.3;
const SIGMA: f64 = 0.360;
/// Collision integral coefficients bᵢ (table 2).
const B: [f64; 5] = [0.431, -0.4623, 0.084_06, 0.005_341, -0.003_31];
/// Residual viscosity terms (N, t, d, l) of table 3; γ = 0 when l = 0, else 1.
const VISCOSITY_RESIDUAL: [(f64, f64, i32, i32); 5] = [
    (10.72, 0.2, 1, 0),
    (1.122, 0.05, 4, 0),
    (0.002_019, 2.4, 9, 0),
    (-8.876, 0.6, 1, 1),
    (-0.029_16, 3.6, 8, 1),
];
/// Dilute-gas conductivity terms N₁…N₃ with exponents t₂, t₃ (table 4).
const LAMBDA0: (f64, f64, f64, f64, f64) = (1.308, 1.405, -1.1, -1.036, -0.3);
/// Residual conductivity terms (N, t, d, l) of table 4.
const CONDUCTIVITY_RESIDUAL: [(f64, f64, i32, i32); 6] = [
    (8.743, 0.1, 1, 0),
    (14.76, 0.0, 2, 0),
    (-16.62, 0.5, 3, 2),
    (3.793, 2.7, 7, 2),
    (-6.142, 0.3, 7, 2),
    (-0.3778, 1.3, 11, 2),
];
/// Lemmon et al. (2000) table 12, the ideal-gas cp⁰ of air: N₁ … N₁₁.
const CP0: [f64; 11] = [
    3.490_888_032,
    2.395_525_583e-6,
    7.172_111_248e-9,
    -3.115_413_101e-13,
    0.223_806_688,
    0.791_309_509,
    0.212_236_768,
    0.197_938_904,
    3364.011,
    2242.45,
    11_580.4,
];

/// Temperatures accepted [K].
const T_RANGE: (f64, f64) = (200.0, 1800.0);
/// Pressures accepted [Pa]: the ideal-gas density is within 1 % there.
const P_RANGE: (f64, f64) = (1e3, 1e6);

/// Air properties at one temperature and pressure.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AirProperties {
    /// Temperature they were evaluated at.
    pub t: Temperature,
    /// Density (ideal gas).
    pub rho: Density,
    /// Dynamic viscosity.
    pub mu: DynamicViscosity,
    /// Thermal conductivity.
    pub k: ThermalConductivity,
    /// Isobaric specific heat capacity.
    pub cp: SpecificHeatCapacity,
    /// Kinematic viscosity ν = μ/ρ [m²/s].
    pub nu_m2_per_s: f64,
    /// Thermal diffusivity α = k/(ρ cp) [m²/s].
    pub alpha_m2_per_s: f64,
    /// Prandtl number ν/α.
    pub prandtl: f64,
    /// Volumetric expansion coefficient β = 1/T [1/K].
    pub beta_per_k: f64,
}

/// Σ N τᵗ δᵈ exp(−γ δˡ), the residual form of Lemmon & Jacobsen eqs. 1 and 5.
fn residual(terms: &[(f64, f64, i32, i32)], tau: f64, delta: f64) -> f64 {
    terms
        .iter()
        .map(|&(n, t, d, l)| {
            let gamma = if l == 0 { 0.0 } else { 1.0 };
            n * tau.powf(t) * delta.powi(d) * (-gamma * delta.powi(l)).exp()
        })
        .sum()
}

/// Dilute-gas viscosity η⁰ [µPa s], Lemmon & Jacobsen eqs. 2–3.
fn eta0(t: f64) -> f64 {
    let ln_t = (t / EPS_K).ln();
    let omega = B.iter().rev().fold(0.0, |acc, b| acc * ln_t + b).exp();
    0.026_695_8 * (MOLAR_MASS * t).sqrt() / (SIGMA * SIGMA * omega)
}

/// Ideal-gas isobaric heat capacity of air [J/(kg K)], Lemmon et al. (2000).
fn cp0(t: f64) -> f64 {
    let [n1, n2, n3, n4, n5, n6, n7, n8, n9, n10, n11] = CP0;
    let einstein = |x: f64| {
        // x² eˣ/(eˣ − 1)², written with e^(−x) so that it cannot overflow.
        let e = (-x).exp();
        x * x * e / ((1.0 - e) * (1.0 - e))
    };
    let w = n11 / t;
    let ew = (-w).exp();
    let last = 2.0 / 3.0 * n8 * w * w * ew / ((2.0 / 3.0 * ew + 1.0) * (2.0 / 3.0 * ew + 1.0));
    let cp_over_r = n1
        + t * (n2 + t * (n3 + t * n4))
        + n5 / (t * t.sqrt())
        + n6 * einstein(n9 / t)
        + n7 * einstein(n10 / t)
        + last;
    cp_over_r * R_MOLAR / MOLAR_MASS * 1e3
}

/// Properties of dry air at temperature `t` and pressure `p`
/// (200–1800 K, 1 kPa–1 MPa).
pub fn air_properties(t: Temperature, p: Pressure) -> Result<AirProperties> {
    let t_k = finite("air temperature [K]", t.kelvin())?;
    let p_pa = finite("air pressure [Pa]", p.pa())?;
    if !(T_RANGE.0..=T_RANGE.1).contains(&t_k) {
        return Err(CalcError::OutOfRange {
            name: "air temperature [K]",
            value: t_k,
            expected: "between 200 K and 1800 K",
        });
    }
    if !(P_RANGE.0..=P_RANGE.1).contains(&p_pa) {
        return Err(CalcError::OutOfRange {
            name: "air pressure [Pa]",
            value: p_pa,
            expected: "between 1 kPa and 1 MPa",
        });
    }
    let molar_density = p_pa / (R_MOLAR * t_k) / 1000.0; // mol/dm³
    let (tau, delta) = (T_C / t_k, molar_density / RHO_C);
    let eta_0 = eta0(t_k);
    let eta = eta_0 + residual(&VISCOSITY_RESIDUAL, tau, delta); // µPa s
    let (n1, n2, t2, n3, t3) = LAMBDA0;
    let lambda_0 = n1 * eta_0 + n2 * tau.powf(t2) + n3 * tau.powf(t3);
    let lambda = lambda_0 + residual(&CONDUCTIVITY_RESIDUAL, tau, delta); // mW/(m K)
    let cp = cp0(t_k); // J/(kg K)
    let rho = molar_density * MOLAR_MASS; // kg/m³ (mol/dm³ × g/mol)
    let (mu, k) = (eta * 1e-6, lambda * 1e-3);
    let nu = mu / rho;
    let alpha = k / (rho * cp);
    Ok(AirProperties {
        t,
        rho: Density::from_kg_per_m3(rho),
        mu: DynamicViscosity::from_pa_s(mu),
        k: ThermalConductivity::from_w_per_m_k(k),
        cp: SpecificHeatCapacity::from_j_per_kg_k(cp),
        nu_m2_per_s: nu,
        alpha_m2_per_s: alpha,
        prandtl: nu / alpha,
        beta_per_k: 1.0 / t_k,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rel(a: f64, b: f64) -> f64 {
        ((a - b) / b).abs()
    }

    /// Incropera et al., table A.4, air at 1 atm:
    /// T [K], μ·10⁷ [N s/m²], k·10³ [W/(m K)], cp [kJ/(kg K)], Pr.
    #[test]
    fn incropera_table_a4() {
        let rows = [
            (300.0, 184.6, 26.3, 1.007, 0.707),
            (350.0, 208.2, 30.0, 1.009, 0.700),
            (400.0, 230.1, 33.8, 1.014, 0.690),
            (500.0, 270.1, 40.7, 1.030, 0.684),
            (600.0, 305.8, 46.9, 1.051, 0.685),
        ];
        for (t, mu, k, cp, pr) in rows {
            let air =
                air_properties(Temperature::from_kelvin(t), Pressure::from_pa(101_325.0)).unwrap();
            assert!(
                rel(air.mu.pa_s() * 1e7, mu) < 0.01,
                "mu at {t}: {}",
                air.mu.pa_s() * 1e7
            );
            // The table's conductivities above 400 K are up to 2 % above the
            // newer correlation.
            assert!(
                rel(air.k.w_per_m_k() * 1e3, k) < 0.02,
                "k at {t}: {}",
                air.k.w_per_m_k() * 1e3
            );
            assert!(
                rel(air.cp.kj_per_kg_k(), cp) < 0.003,
                "cp at {t}: {}",
                air.cp.kj_per_kg_k()
            );
            assert!(rel(air.prandtl, pr) < 0.03, "Pr at {t}: {}", air.prandtl);
        }
    }

    /// Lemmon & Jacobsen's dilute-gas values at 300 K are 18.52 µPa s and
    /// 26.35 mW/(m K); the residual terms at 1 atm add about 0.2 %.
    #[test]
    fn dilute_gas_limit() {
        let air = air_properties(Temperature::from_kelvin(300.0), Pressure::from_pa(1e3)).unwrap();
        assert!(
            rel(air.mu.pa_s() * 1e6, 18.523) < 1e-3,
            "{}",
            air.mu.pa_s() * 1e6
        );
        assert!(
            rel(air.k.w_per_m_k() * 1e3, 26.353) < 1e-3,
            "{}",
            air.k.w_per_m_k() * 1e3
        );
    }

    #[test]
    fn ranges_are_checked() {
        let p = Pressure::from_pa(101_325.0);
        assert!(air_properties(Temperature::from_kelvin(100.0), p).is_err());
        assert!(air_properties(Temperature::from_kelvin(f64::NAN), p).is_err());
        assert!(air_properties(Temperature::from_kelvin(300.0), Pressure::from_pa(0.0)).is_err());
    }

    proptest! {
        #[test]
        fn never_panics(t: f64, p: f64) {
            if let Ok(air) = air_properties(Temperature::from_kelvin(t), Pressure::from_pa(p)) {
                prop_assert!(air.prandtl.is_finite() && air.prandtl > 0.5 && air.prandtl < 1.0);
            }
        }
    }
}
