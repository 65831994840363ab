//! Steam leaking through an orifice (a hole, a failed trap, a passing valve).
//!
//! The compressible isentropic orifice (nozzle) equation with a discharge
//! coefficient C_d, for upstream state (p₁, ρ₁), downstream pressure p₂,
//! pressure ratio r = p₂/p₁ and isentropic exponent κ:
//!
//! - critical ratio r* = (2/(κ + 1))^(κ/(κ − 1)) — 0.546 for κ = 1.3
//!   (superheated), 0.577 for κ = 1.135 (saturated);
//! - subsonic, r > r*: ṁ = C_d A √(2 p₁ ρ₁ κ/(κ − 1) [r^(2/κ) − r^((κ+1)/κ)]),
//!   the Saint-Venant–Wantzel expansion formula;
//! - choked, r ≤ r*: the same expression at r = r*, which is
//!   ṁ = C_d A √(κ p₁ ρ₁ (2/(κ + 1))^((κ+1)/(κ−1))); so the two branches
//!   meet exactly at r* (the derivative of the bracket vanishes there).
//!
//! The isentropic exponent ([`IsentropicExponent::Auto`]):
//!
//! - superheated steam: κ = w²ρ/p from IAPWS-IF97, the real-gas isentropic
//!   exponent −(v/p)(∂p/∂v)ₛ (about 1.29–1.32 in steam mains);
//! - dry saturated or wet steam (0.7 ≤ x ≤ 1): Zeuner's κ = 1.035 + 0.1 x
//!   (1.135 for dry saturated steam), the classical exponent of the
//!   equilibrium wet expansion; with C_d = 1 it reproduces Napier's
//!   empirical formula for saturated steam within 2.5 % from 3 to 70 bar. A fast expansion
//!   may stay supersaturated and pass about 5 % more, within the
//!   uncertainty of C_d.
//!
//! The seed design's sonic formula `m = 0.667 · A · P / √T` is the choked
//! ideal-gas equation ṁ = A p √(κ/(R T)) (2/(κ+1))^((κ+1)/(2(κ−1))) with
//! the factor 1/√R dropped (for κ = 1.3 the rest is 0.667): in SI units
//! (A in m², p in Pa, T in K) it overstates the flow by √R = √461.5 ≈ 21.5
//! times, and it has no discharge coefficient. Its subsonic `A √(2ρΔp)` is
//! the incompressible formula and does not meet the sonic one at the
//! critical ratio. Both are replaced here.

use std::f64::consts::PI;

use super::error::{CalcError, Result, finite, positive, positive_fraction};
use crate::if97::{self, Region, Saturation, State};
use crate::units::{
    Area, Density, INCH_M, Length, MassFlow, POUND_KG, PSI_PA, Pressure, SpecificEnthalpy,
    Temperature,
};

/// Default discharge coefficient, 0.7: between the 0.61 of a sharp-edged
/// orifice in incompressible flow and the 0.8–0.85 such an orifice reaches
/// when choked, and the value behind the US DOE/BEI leaking-trap table
/// (Steam Tip Sheet #1), whose values are 0.73 × Napier; this model with
/// 0.7 gives 0–7 % less than that table.
pub const DEFAULT_DISCHARGE_COEFFICIENT: f64 = 0.7;

/// Lowest dryness fraction the orifice model accepts: below it the flow is
/// a flashing two-phase flow that this model does not describe, and
/// Zeuner's exponent is not meant for it.
pub const MIN_DRYNESS: f64 = 0.7;

/// The steam upstream of the orifice, at the upstream pressure.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SteamCondition {
    /// Dry saturated steam (x = 1).
    DrySaturated,
    /// Wet steam of dryness `x`, 0.7 ≤ x ≤ 1.
    Wet(f64),
    /// Superheated steam at a temperature above saturation.
    Superheated(Temperature),
}

/// How the isentropic exponent κ is chosen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum IsentropicExponent {
    /// IF97's w²ρ/p for superheated steam, Zeuner's 1.035 + 0.1 x for
    /// saturated and wet steam (see the module docs).
    Auto,
    /// A given κ > 1.
    Fixed(f64),
}

/// A steam leak through an orifice.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OrificeLeak {
    /// Absolute pressure upstream.
    pub upstream_pressure: Pressure,
    /// The steam upstream.
    pub condition: SteamCondition,
    /// Absolute pressure downstream (the atmosphere for a leak to air).
    pub downstream_pressure: Pressure,
    /// Orifice (hole) diameter.
    pub diameter: Length,
    /// Discharge coefficient, 0 < C_d ≤ 1.
    pub discharge_coefficient: f64,
    /// The isentropic exponent to use.
    pub exponent: IsentropicExponent,
}

impl OrificeLeak {
    /// Dry saturated steam at `upstream` leaking to the standard
    /// atmosphere through a hole of `diameter`, C_d = 0.7, κ automatic.
    pub fn saturated_to_atmosphere(upstream: Pressure, diameter: Length) -> Self {
        OrificeLeak {
            upstream_pressure: upstream,
            condition: SteamCondition::DrySaturated,
            downstream_pressure: Pressure::from_pa(crate::units::STANDARD_ATMOSPHERE_PA),
            diameter,
            discharge_coefficient: DEFAULT_DISCHARGE_COEFFICIENT,
            exponent: IsentropicExponent::Auto,
        }
    }
}

/// Which equation a leak rate came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeakModel {
    /// Isentropic orifice equation, choked (sonic) branch.
    ChokedOrifice,
    /// Isentropic orifice equation, subsonic branch (expansion formula).
    SubsonicOrifice,
    /// Napier's empirical formula.
    Napier,
}

/// The leak rate and what it rests on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LeakRate {
    /// Mass flow leaking.
    pub mass_flow: MassFlow,
    /// Whether the flow is choked (r ≤ r*).
    pub choked: bool,
    /// Critical pressure ratio r*.
    pub critical_pressure_ratio: f64,
    /// Actual pressure ratio p₂/p₁.
    pub pressure_ratio: f64,
    /// Isentropic exponent used.
    pub isentropic_exponent: f64,
    /// Discharge coefficient used.
    pub discharge_coefficient: f64,
    /// Orifice area.
    pub area: Area,
    /// Upstream density (IF97; homogeneous for wet steam).
    pub upstream_density: Density,
    /// Upstream specific enthalpy (IF97), for the energy the leak carries.
    pub upstream_enthalpy: SpecificEnthalpy,
    /// The equation used.
    pub model: LeakModel,
}

/// Critical pressure ratio r* = (2/(κ + 1))^(κ/(κ − 1)).
pub fn critical_pressure_ratio(kappa: f64) -> Result<f64> {
    let kappa = check_kappa(kappa)?;
    Ok((2.0 / (kappa + 1.0)).powf(kappa / (kappa - 1.0)))
}

fn check_kappa(kappa: f64) -> Result<f64> {
    let kappa = finite("isentropic exponent", kappa)?;
    if kappa > 1.0 && kappa <= 2.0 {
        Ok(kappa)
    } else {
        Err(CalcError::OutOfRange {
            name: "isentropic exponent",
            value: kappa,
            expected: "greater than 1 and at most 2",
        })
    }
}

/// Ideal mass flux (C_d = 1) of the isentropic orifice equation [kg/(s m²)]
/// at pressure ratio `r`, taking r = r* when choked. Returns the flux and
/// whether it is choked.
pub fn isentropic_mass_flux(
    p1: Pressure,
    rho1: Density,
    kappa: f64,
    ratio: f64,
) -> Result<(f64, bool)> {
    let p1 = positive("upstream pressure [Pa]", p1.pa())?;
    let rho1 = positive("upstream density [kg/m3]", rho1.kg_per_m3())?;
    let kappa = check_kappa(kappa)?;
    let ratio = finite("pressure ratio", ratio)?;
    if ratio >= 1.0 {
        return Ok((0.0, false));
    }
    let critical = critical_pressure_ratio(kappa)?;
    let choked = ratio <= critical;
    let r = if choked { critical } else { ratio.max(0.0) };
    let bracket = r.powf(2.0 / kappa) - r.powf((kappa + 1.0) / kappa);
    let flux = (2.0 * p1 * rho1 * kappa / (kappa - 1.0) * bracket.max(0.0)).sqrt();
    Ok((finite("mass flux", flux)?, choked))
}

/// Refuses an upstream pressure at or above the critical pressure: there
/// the water is a dense supercritical fluid, not steam, and the orifice
/// model (a compressible nozzle of constant isentropic exponent) does not
/// describe it.
fn check_below_critical(p: Pressure) -> Result<()> {
    let mpa = p.mpa();
    if mpa < if97::constants::PC {
        Ok(())
    } else {
        Err(CalcError::OutOfRange {
            name: "upstream pressure [MPa]",
            value: mpa,
            expected: "below the critical pressure of water, 22.064 MPa \
                       (the orifice model is for steam, not supercritical fluid)",
        })
    }
}

/// The upstream state and the κ Auto would choose for it.
fn upstream(leak: &OrificeLeak) -> Result<(State, f64)> {
    let p = leak.upstream_pressure;
    check_below_critical(p)?;
    match leak.condition {
        SteamCondition::DrySaturated => {
            let sat = Saturation::at_pressure(p)?;
            Ok((sat.vapour, zeuner(1.0)))
        }
        SteamCondition::Wet(x) => {
            let x = finite("dryness fraction", x)?;
            if !(MIN_DRYNESS..=1.0).contains(&x) {
                return Err(CalcError::OutOfRange {
                    name: "dryness fraction",
                    value: x,
                    expected: "between 0.7 and 1 (wetter steam is a flashing two-phase flow)",
                });
            }
            let state = if x == 1.0 {
                Saturation::at_pressure(p)?.vapour
            } else {
                if97::state_px(p, x)?
            };
            Ok((state, zeuner(x)))
        }
        SteamCondition::Superheated(t) => {
            let state = if97::state_pt(p, t)?;
            match state.region {
                Region::R2 | Region::R5 => {}
                // At or below saturation the water is liquid.
                Region::R1 | Region::R4 => {
                    return Err(CalcError::Inconsistent(format!(
                        "at {:.2} °C and {:.4} MPa the water upstream is liquid, not superheated \
                         steam (use DrySaturated for saturated steam)",
                        t.celsius(),
                        p.mpa()
                    )));
                }
                Region::R3 => {
                    return Err(CalcError::Inconsistent(format!(
                        "at {:.2} °C and {:.4} MPa the water upstream is a dense fluid near the \
                         critical point (IF97 region 3, {:.0} kg/m³), not steam: the orifice \
                         model is for steam and vapour",
                        t.celsius(),
                        p.mpa(),
                        state.rho.kg_per_m3()
                    )));
                }
            }
            let w = state.w.map(|w| w.m_per_s()).unwrap_or(f64::NAN);
            let kappa = w * w * state.rho.kg_per_m3() / state.p.pa();
            Ok((state, kappa))
        }
    }
}

/// Zeuner's isentropic exponent of wet steam, κ = 1.035 + 0.1 x.
fn zeuner(x: f64) -> f64 {
    1.035 + 0.1 * x
}

/// Leak rate through an orifice (see the module docs for the equations).
///
/// A downstream pressure at or above the upstream one gives no outflow
/// (zero, reported as subsonic).
///
/// Errors: non-finite inputs; non-positive pressures or diameter; C_d
/// outside (0, 1]; a fixed κ outside (1, 2]; an upstream pressure at or
/// above the critical pressure; liquid upstream, or dense fluid in the
/// critical region (IF97 region 3): the model is for steam and vapour
/// (regions 2 and 5, saturated and wet steam); dryness below 0.7; states
/// outside IF97.
pub fn orifice_leak(leak: &OrificeLeak) -> Result<LeakRate> {
    let p1 = positive("upstream pressure [Pa]", leak.upstream_pressure.pa())?;
    let p2 = positive("downstream pressure [Pa]", leak.downstream_pressure.pa())?;
    let d = positive("orifice diameter [m]", leak.diameter.m())?;
    let cd = positive_fraction("discharge coefficient", leak.discharge_coefficient)?;
    let (state, auto_kappa) = upstream(leak)?;
    let kappa = match leak.exponent {
        IsentropicExponent::Auto => check_kappa(auto_kappa)?,
        IsentropicExponent::Fixed(k) => check_kappa(k)?,
    };
    let area = PI * d * d / 4.0;
    let ratio = p2 / p1;
    let (flux, choked) = isentropic_mass_flux(leak.upstream_pressure, state.rho, kappa, ratio)?;
    let mass_flow = finite("leak mass flow [kg/s]", cd * area * flux)?;
    Ok(LeakRate {
        mass_flow: MassFlow::from_kg_per_s(mass_flow),
        choked,
        critical_pressure_ratio: critical_pressure_ratio(kappa)?,
        pressure_ratio: ratio,
        isentropic_exponent: kappa,
        discharge_coefficient: cd,
        area: Area::from_m2(area),
        upstream_density: state.rho,
        upstream_enthalpy: state.h,
        model: if choked {
            LeakModel::ChokedOrifice
        } else {
            LeakModel::SubsonicOrifice
        },
    })
}

/// Napier's formula for saturated steam discharging through an orifice
/// into a pressure below about 58 % of the upstream one (choked):
/// W \[lb/s\] = A \[in²\] · P \[psia\] / 70 (R. D. Napier, 1866; e.g. Marks'
/// Standard Handbook for Mechanical Engineers). It includes no discharge
/// coefficient (it is for a well-rounded orifice, C_d ≈ 1): multiply by
/// C_d for a sharp-edged hole. A cross-check of [`orifice_leak`]
/// ([`LeakModel::Napier`]).
pub fn napier_flow(area: Area, upstream_pressure: Pressure) -> Result<MassFlow> {
    let a_in2 = positive("orifice area [m2]", area.m2())? / (INCH_M * INCH_M);
    let p_psia = positive("upstream pressure [Pa]", upstream_pressure.pa())? / PSI_PA;
    let lb_per_s = a_in2 * p_psia / 70.0;
    Ok(MassFlow::from_kg_per_s(finite(
        "Napier flow [kg/s]",
        lb_per_s * POUND_KG,
    )?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rel(a: f64, b: f64) -> f64 {
        ((a - b) / b).abs()
    }

    #[test]
    fn critical_ratios() {
        assert!((critical_pressure_ratio(1.3).unwrap() - 0.5457).abs() < 1e-4);
        assert!((critical_pressure_ratio(1.135).unwrap() - 0.5774).abs() < 1e-4);
        assert!((critical_pressure_ratio(1.4).unwrap() - 0.5283).abs() < 1e-4);
        assert!(critical_pressure_ratio(1.0).is_err());
    }

    /// The two branches meet at r*: the flux just above and at the critical
    /// ratio agree, and the flux is flat below it.
    #[test]
    fn choked_and_subsonic_meet() {
        let (p, rho) = (Pressure::from_bar(10.0), Density::from_kg_per_m3(5.0));
        for kappa in [1.135, 1.3, 1.4] {
            let rc = critical_pressure_ratio(kappa).unwrap();
            let (at, choked) = isentropic_mass_flux(p, rho, kappa, rc).unwrap();
            assert!(choked);
            let (above, choked_above) =
                isentropic_mass_flux(p, rho, kappa, rc * (1.0 + 1e-9)).unwrap();
            assert!(!choked_above);
            assert!(rel(above, at) < 1e-12, "{kappa}: {above} vs {at}");
            let (below, _) = isentropic_mass_flux(p, rho, kappa, 0.1).unwrap();
            assert_eq!(below, at);
            // The closed choked form.
            let closed =
                (kappa * 1e6 * 5.0 * (2.0 / (kappa + 1.0)).powf((kappa + 1.0) / (kappa - 1.0)))
                    .sqrt();
            assert!(rel(at, closed) < 1e-12);
            // Subsonic flux falls to zero as r → 1.
            assert_eq!(isentropic_mass_flux(p, rho, kappa, 1.0).unwrap().0, 0.0);
            let (near, _) = isentropic_mass_flux(p, rho, kappa, 0.999).unwrap();
            assert!(near < 0.1 * at);
        }
    }

    /// Napier's W = A P/70 against the orifice equation with C_d = 1 for
    /// dry saturated steam, choked: within 2.5 % from 3 to 70 bar(a); at
    /// 1.5–2 bar(a) Napier's proportionality to P (the vapour density is
    /// not quite proportional to it) leaves 5 %.
    #[test]
    fn napier_agrees_for_saturated_steam() {
        for (bar, tolerance) in [
            (1.5, 0.05),
            (2.0, 0.05),
            (3.0, 0.025),
            (5.0, 0.025),
            (10.0, 0.025),
            (20.0, 0.025),
            (40.0, 0.025),
            (70.0, 0.025),
        ] {
            let leak = OrificeLeak {
                discharge_coefficient: 1.0,
                downstream_pressure: Pressure::from_bar(0.3),
                ..OrificeLeak::saturated_to_atmosphere(
                    Pressure::from_bar(bar),
                    Length::from_mm(5.0),
                )
            };
            let rate = orifice_leak(&leak).unwrap();
            assert!(rate.choked && rate.model == LeakModel::ChokedOrifice);
            assert!((rate.isentropic_exponent - 1.135).abs() < 1e-12);
            let napier = napier_flow(rate.area, leak.upstream_pressure).unwrap();
            assert!(
                rel(rate.mass_flow.kg_per_s(), napier.kg_per_s()) < tolerance,
                "{bar} bar: {rate:?} vs {napier:?}"
            );
        }
    }

    /// US DOE Steam Tip Sheet #1 ("Inspect and Repair Steam Traps"), table
    /// "Leaking steam trap discharge rate": a 1/8-in orifice at 150 psig
    /// loses 75.8 lb/h; 1/32 in at 15 psig 0.85 lb/h, at 100 psig 3.3 lb/h,
    /// at 150 psig 4.8 lb/h. The table's values are 0.73 × Napier; the
    /// default C_d = 0.7 comes within 7 % (lower), C_d = 0.73 within 5 %.
    #[test]
    fn doe_tip_sheet_1_trap_table() {
        for (d_in, psig, lb_h) in [
            (0.125, 150.0, 75.8),
            (1.0 / 32.0, 15.0, 0.85),
            (1.0 / 32.0, 100.0, 3.3),
            (1.0 / 32.0, 150.0, 4.8),
        ] {
            let leak = OrificeLeak::saturated_to_atmosphere(
                Pressure::from_psig(psig),
                Length::from_inch(d_in),
            );
            let rate = orifice_leak(&leak).unwrap();
            assert!(
                rel(rate.mass_flow.lb_per_h(), lb_h) < 0.07,
                "{d_in} in at {psig} psig: {} lb/h",
                rate.mass_flow.lb_per_h()
            );
            let at_073 = orifice_leak(&OrificeLeak {
                discharge_coefficient: 0.73,
                ..leak
            })
            .unwrap();
            assert!(
                rel(at_073.mass_flow.lb_per_h(), lb_h) < 0.05,
                "{d_in} in at {psig} psig: {} lb/h",
                at_073.mass_flow.lb_per_h()
            );
        }
    }

    #[test]
    fn superheated_uses_the_if97_exponent() {
        let leak = OrificeLeak {
            condition: SteamCondition::Superheated(Temperature::from_celsius(300.0)),
            ..OrificeLeak::saturated_to_atmosphere(Pressure::from_bar(20.0), Length::from_mm(3.0))
        };
        let rate = orifice_leak(&leak).unwrap();
        assert!((rate.isentropic_exponent - 1.3).abs() < 0.03, "{rate:?}");
        assert!((rate.critical_pressure_ratio - 0.546).abs() < 0.01);
        // A fixed exponent is taken as given.
        let fixed = orifice_leak(&OrificeLeak {
            exponent: IsentropicExponent::Fixed(1.3),
            ..leak
        })
        .unwrap();
        assert_eq!(fixed.isentropic_exponent, 1.3);
        assert!(rel(fixed.mass_flow.kg_per_s(), rate.mass_flow.kg_per_s()) < 0.02);
    }

    #[test]
    fn wet_and_liquid_upstream() {
        let wet = OrificeLeak {
            condition: SteamCondition::Wet(0.9),
            ..OrificeLeak::saturated_to_atmosphere(Pressure::from_bar(10.0), Length::from_mm(3.0))
        };
        let rate = orifice_leak(&wet).unwrap();
        assert!((rate.isentropic_exponent - 1.125).abs() < 1e-12);
        let dry = orifice_leak(&OrificeLeak {
            condition: SteamCondition::DrySaturated,
            ..wet
        })
        .unwrap();
        assert!(
            rate.mass_flow.kg_per_s() > dry.mass_flow.kg_per_s(),
            "denser wet steam passes more mass"
        );
        assert!(
            orifice_leak(&OrificeLeak {
                condition: SteamCondition::Wet(0.5),
                ..wet
            })
            .is_err()
        );
        let liquid = OrificeLeak {
            condition: SteamCondition::Superheated(Temperature::from_celsius(150.0)),
            ..wet
        };
        assert!(orifice_leak(&liquid).is_err());
    }

    /// Dense or supercritical fluid upstream is refused in plain words,
    /// not by a side effect such as an isentropic exponent out of range.
    #[test]
    fn dense_fluid_upstream_is_refused() {
        let base =
            OrificeLeak::saturated_to_atmosphere(Pressure::from_mpa(1.0), Length::from_mm(3.0));
        let superheated = |mpa: f64, kelvin: f64| OrificeLeak {
            upstream_pressure: Pressure::from_mpa(mpa),
            condition: SteamCondition::Superheated(Temperature::from_kelvin(kelvin)),
            ..base
        };
        // Far above the critical pressure (IF97 region 3, κ = w²ρ/p = 6.8).
        match orifice_leak(&superheated(100.0, 700.0)) {
            Err(CalcError::OutOfRange { name, .. }) => assert_eq!(name, "upstream pressure [MPa]"),
            other => panic!("100 MPa, 700 K: {other:?}"),
        }
        // Below the critical pressure but in region 3, where κ looks plausible (1.31).
        let near_critical = orifice_leak(&superheated(22.0, 650.0));
        match &near_critical {
            Err(CalcError::Inconsistent(why)) => assert!(why.contains("region 3"), "{why}"),
            other => panic!("22 MPa, 650 K: {other:?}"),
        }
        // Saturated steam at and above the critical pressure.
        for mpa in [22.064, 30.0] {
            let saturated = OrificeLeak {
                upstream_pressure: Pressure::from_mpa(mpa),
                ..base
            };
            assert!(
                matches!(orifice_leak(&saturated), Err(CalcError::OutOfRange { .. })),
                "{mpa} MPa"
            );
        }
        // Steam close to those: region 2 at 20 MPa, 700 K, and saturated at 20 MPa.
        assert!(orifice_leak(&superheated(20.0, 700.0)).is_ok());
        assert!(
            orifice_leak(&OrificeLeak {
                upstream_pressure: Pressure::from_mpa(20.0),
                ..base
            })
            .is_ok()
        );
    }

    #[test]
    fn subsonic_leak_and_no_outflow() {
        let leak = OrificeLeak {
            downstream_pressure: Pressure::from_bar(8.0),
            ..OrificeLeak::saturated_to_atmosphere(Pressure::from_bar(10.0), Length::from_mm(3.0))
        };
        let rate = orifice_leak(&leak).unwrap();
        assert!(!rate.choked && rate.model == LeakModel::SubsonicOrifice);
        let none = orifice_leak(&OrificeLeak {
            downstream_pressure: Pressure::from_bar(12.0),
            ..leak
        })
        .unwrap();
        assert_eq!(none.mass_flow.kg_per_s(), 0.0);
    }

    /// The seed's 0.667·A·P/√T in SI overstates the choked ideal-gas flow by √R.
    #[test]
    fn seed_formula_is_off_by_root_r() {
        let (a, p, t) = (1e-4_f64, 1e6_f64, 453.15_f64);
        let seed = 0.667 * a * p / t.sqrt();
        let r = 461.526_f64;
        let kappa = 1.3_f64;
        let ideal = a
            * p
            * (kappa / (r * t)).sqrt()
            * (2.0 / (kappa + 1.0)).powf((kappa + 1.0) / (2.0 * (kappa - 1.0)));
        assert!(rel(seed / ideal, r.sqrt()) < 0.01);
    }

    #[test]
    fn bad_inputs_are_errors() {
        let good =
            OrificeLeak::saturated_to_atmosphere(Pressure::from_bar(10.0), Length::from_mm(3.0));
        for bad in [
            OrificeLeak {
                diameter: Length::from_m(0.0),
                ..good
            },
            OrificeLeak {
                diameter: Length::from_m(f64::NAN),
                ..good
            },
            OrificeLeak {
                discharge_coefficient: 0.0,
                ..good
            },
            OrificeLeak {
                discharge_coefficient: 1.5,
                ..good
            },
            OrificeLeak {
                upstream_pressure: Pressure::from_pa(-1.0),
                ..good
            },
            OrificeLeak {
                downstream_pressure: Pressure::from_pa(0.0),
                ..good
            },
            OrificeLeak {
                exponent: IsentropicExponent::Fixed(0.9),
                ..good
            },
            OrificeLeak {
                upstream_pressure: Pressure::from_mpa(50.0),
                ..good
            },
        ] {
            assert!(orifice_leak(&bad).is_err(), "{bad:?}");
        }
        assert!(napier_flow(Area::from_m2(-1.0), Pressure::from_bar(1.0)).is_err());
    }

    proptest! {
        #[test]
        fn never_panics(v in prop::array::uniform6(any::<f64>()), which in 0u8..3, fixed: bool) {
            let condition = match which {
                0 => SteamCondition::DrySaturated,
                1 => SteamCondition::Wet(v[4]),
                _ => SteamCondition::Superheated(Temperature::from_kelvin(v[4])),
            };
            let leak = OrificeLeak {
                upstream_pressure: Pressure::from_pa(v[0]),
                condition,
                downstream_pressure: Pressure::from_pa(v[1]),
                diameter: Length::from_m(v[2]),
                discharge_coefficient: v[3],
                exponent: if fixed { IsentropicExponent::Fixed(v[5]) } else { IsentropicExponent::Auto },
            };
            if let Ok(rate) = orifice_leak(&leak) {
                prop_assert!(rate.mass_flow.kg_per_s().is_finite() && rate.mass_flow.kg_per_s() >= 0.0);
            }
            let _ = napier_flow(Area::from_m2(v[2]), Pressure::from_pa(v[0]));
        }

        /// The flow never decreases as the downstream pressure falls.
        #[test]
        fn flow_is_monotone_in_back_pressure(p1 in 1.5e5f64..5e6, f1 in 0.0f64..1.0, f2 in 0.0f64..1.0) {
            let base = OrificeLeak::saturated_to_atmosphere(Pressure::from_pa(p1), Length::from_mm(2.0));
            let (lo, hi) = (f1.min(f2), f1.max(f2));
            let m_lo = orifice_leak(&OrificeLeak { downstream_pressure: Pressure::from_pa(p1 * lo.max(1e-6)), ..base }).unwrap();
            let m_hi = orifice_leak(&OrificeLeak { downstream_pressure: Pressure::from_pa(p1 * hi.max(1e-6)), ..base }).unwrap();
            prop_assert!(m_lo.mass_flow.kg_per_s() >= m_hi.mass_flow.kg_per_s() * (1.0 - 1e-12));
        }
    }
}
