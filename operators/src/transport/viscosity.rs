//! Viscosity of water and steam: IAPWS R12-08, "Release on the IAPWS
//! Formulation 2008 for the Viscosity of Ordinary Water Substance", in the
//! form it recommends for industrial use: the critical enhancement μ₂ is
//! set to 1 and the density comes from IAPWS-IF97.
//!
//! μ = μ* · μ̄₀(T̄) · μ̄₁(T̄, ρ̄), with T̄ = T/647.096 K, ρ̄ = ρ/322 kg/m³,
//! μ* = 1 µPa s, and
//!
//! - μ̄₀ = 100 √T̄ / Σᵢ₌₀³ Hᵢ/T̄ⁱ (eq. 11, table 1),
//! - μ̄₁ = exp[ρ̄ Σᵢ₌₀⁵ (1/T̄ − 1)ⁱ Σⱼ₌₀⁶ Hᵢⱼ (ρ̄ − 1)ʲ] (eq. 12, table 2).
//!
//! Leaving out μ₂ changes μ by more than 2 % only very near the critical
//! point (about 645.91 K < T < 650.77 K and 245.8 < ρ < 405.3 kg/m³), far
//! from any steam-distribution condition.

use crate::analysis::error::{CalcError, Result, finite};
use crate::if97::{self, Region, State};
use crate::units::{Density, DynamicViscosity, Pressure, Temperature};

const T_STAR: f64 = 647.096;
const RHO_STAR: f64 = 322.0;
/// Reference viscosity μ* [Pa s].
const MU_STAR: f64 = 1e-6;

/// R12-08 table 1: H₀ … H₃ of the dilute-gas term.
const H0: [f64; 4] = [1.677_52, 2.204_62, 0.636_656_4, -0.241_605];

/// R12-08 table 2: Hᵢⱼ of the residual term, rows i = 0…5, columns j = 0…6.
const H1: [[f64; 7]; 6] = [
    [
        0.520_094,
        0.222_531,
        -0.281_378,
        0.161_913,
        -0.032_537_2,
        0.0,
        0.0,
    ],
    [0.085_089_5, 0.999_115, -0.906_851, 0.257_399, 0.0, 0.0, 0.0],
    [-1.083_74, 1.887_97, -0.772_479, 0.0, 0.0, 0.0, 0.0],
    [
        -0.289_555,
        1.266_13,
        -0.489_837,
        0.0,
        0.069_845_2,
        0.0,
        -0.004_356_73,
    ],
    [0.0, 0.0, -0.257_040, 0.0, 0.0, 0.008_721_02, 0.0],
    [0.0, 0.120_573, 0.0, 0.0, 0.0, 0.0, -0.000_593_264],
];

/// Lowest and highest temperature accepted [K]: the IF97 liquid range up to
/// the top of the R12-08 industrial range.
const T_RANGE: (f64, f64) = (273.15, 1173.15);
/// Highest density accepted [kg/m³] (liquid at 1000 MPa is about 1250).
const RHO_MAX: f64 = 1250.0;

/// Dilute-gas viscosity μ̄₀(T̄), R12-08 eq. 11.
fn mu0(tr: f64) -> f64 {
    let sum: f64 = H0
        .iter()
        .enumerate()
        .map(|(i, h)| h / tr.powi(i as i32))
        .sum();
    100.0 * tr.sqrt() / sum
}

/// Residual factor μ̄₁(T̄, ρ̄), R12-08 eq. 12.
fn mu1(tr: f64, rhor: f64) -> f64 {
    let (a, b) = (1.0 / tr - 1.0, rhor - 1.0);
    let mut sum = 0.0;
    let mut ai = 1.0;
    for row in &H1 {
        let inner = row.iter().rev().fold(0.0, |acc, h| acc * b + h);
        sum += ai * inner;
        ai *= a;
    }
    (rhor * sum).exp()
}

/// Viscosity of water or steam at density ρ and temperature T, R12-08
/// eq. 10 with μ₂ = 1.
///
/// Accepts 273.15 K ≤ T ≤ 1173.15 K and 0 < ρ ≤ 1250 kg/m³; the pair should
/// be a state of water (from IF97), which is not checked here.
pub fn water_viscosity(rho: Density, t: Temperature) -> Result<DynamicViscosity> {
    let t = finite("temperature [K]", t.kelvin())?;
    let rho = finite("density [kg/m3]", rho.kg_per_m3())?;
    if !(T_RANGE.0..=T_RANGE.1).contains(&t) {
        return Err(CalcError::OutOfRange {
            name: "temperature [K]",
            value: t,
            expected: "between 273.15 K and 1173.15 K (IAPWS R12-08 industrial range)",
        });
    }
    if !(rho > 0.0 && rho <= RHO_MAX) {
        return Err(CalcError::OutOfRange {
            name: "density [kg/m3]",
            value: rho,
            expected: "greater than 0 and at most 1250 kg/m3",
        });
    }
    let (tr, rhor) = (t / T_STAR, rho / RHO_STAR);
    Ok(DynamicViscosity::from_pa_s(
        MU_STAR * mu0(tr) * mu1(tr, rhor),
    ))
}

/// Viscosity of a single-phase IF97 state, or of either saturated phase.
///
/// Wet steam (0 < x < 1) has no single viscosity and is refused: take the
/// phase that flows (the saturated vapour of a [`crate::if97::Saturation`]).
pub fn steam_viscosity(state: &State) -> Result<DynamicViscosity> {
    if state.region == Region::R4 && state.x.is_some_and(|x| x > 0.0 && x < 1.0) {
        return Err(CalcError::Inconsistent(
            "wet steam has no single viscosity; use the saturated vapour or liquid".into(),
        ));
    }
    water_viscosity(state.rho, state.t)
}

/// Viscosity at pressure and temperature, the density from IF97.
pub fn viscosity_pt(p: Pressure, t: Temperature) -> Result<DynamicViscosity> {
    steam_viscosity(&if97::state_pt(p, t)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// IAPWS R12-08 table 4: sample points for the verification of the
    /// correlation with μ₂ = 1 (the industrial form), T [K], ρ [kg/m³],
    /// μ [µPa s]. The table prints six decimals, so each value is checked
    /// to half a unit of its last digit (at most 3.4e-8 relative).
    #[test]
    fn r12_08_table_4() {
        let table = [
            (298.15, 998.0, 889.735_100),
            (298.15, 1200.0, 1_437.649_467),
            (373.15, 1000.0, 307.883_622),
            (433.15, 1.0, 14.538_324),
            (433.15, 1000.0, 217.685_358),
            (873.15, 1.0, 32.619_287),
            (873.15, 100.0, 35.802_262),
            (873.15, 600.0, 77.430_195),
            (1173.15, 1.0, 44.217_245),
            (1173.15, 100.0, 47.640_433),
            (1173.15, 400.0, 64.154_608),
        ];
        for (t, rho, expected) in table {
            let mu = water_viscosity(Density::from_kg_per_m3(rho), Temperature::from_kelvin(t))
                .unwrap()
                .pa_s()
                * 1e6;
            assert!(
                (mu - expected).abs() <= 0.5e-6,
                "T={t} rho={rho}: {mu} vs {expected}"
            );
        }
    }

    #[test]
    fn out_of_range_is_an_error() {
        let t = Temperature::from_kelvin(300.0);
        assert!(water_viscosity(Density::from_kg_per_m3(0.0), t).is_err());
        assert!(water_viscosity(Density::from_kg_per_m3(-1.0), t).is_err());
        assert!(water_viscosity(Density::from_kg_per_m3(f64::NAN), t).is_err());
        assert!(
            water_viscosity(
                Density::from_kg_per_m3(1.0),
                Temperature::from_kelvin(2000.0)
            )
            .is_err()
        );
    }

    proptest! {
        #[test]
        fn never_panics(rho: f64, t: f64) {
            if let Ok(mu) = water_viscosity(Density::from_kg_per_m3(rho), Temperature::from_kelvin(t)) {
                prop_assert!(mu.pa_s().is_finite() && mu.pa_s() > 0.0);
            }
        }
    }
}
