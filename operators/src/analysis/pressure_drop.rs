//! Pressure drop along a pipe: Darcy–Weisbach with the Colebrook friction
//! factor, fitting K-factors and elevation, plus the velocity check.
//!
//! Δp = f (L/D) ρv²/2 + ΣK ρv²/2 + ρ g Δz
//!
//! (the seed design's equations; they are standard). The density is taken
//! constant along the pipe, which holds for steam while the drop stays a
//! small part of the inlet pressure — the seed's acceptance limit of 10 %
//! ([`ACCEPTABLE_RELATIVE_DROP`]) is also about where that assumption
//! stops; for larger drops split the pipe into segments.

use std::f64::consts::{LN_10, PI};

use super::error::{CalcError, Result, finite, non_negative, positive};
use crate::if97::State;
use crate::transport::steam_viscosity;
use crate::units::{
    Density, DynamicViscosity, Length, MassFlow, Pressure, PressureDifference, Velocity,
};

/// Standard gravity [m/s²].
pub const STANDARD_GRAVITY: f64 = 9.806_65;
/// Absolute roughness of new commercial steel pipe, 0.045 mm (Moody 1944;
/// the usual design value).
pub const COMMERCIAL_STEEL_ROUGHNESS: Length = Length::from_m(4.5e-5);
/// The seed design's acceptance limit: total drop below 10 % of the inlet pressure.
pub const ACCEPTABLE_RELATIVE_DROP: f64 = 0.10;
/// Below this Reynolds number the flow is laminar, f = 64/Re.
pub const LAMINAR_LIMIT: f64 = 2300.0;
/// From this Reynolds number on the flow is turbulent (Colebrook).
pub const TURBULENT_LIMIT: f64 = 4000.0;
/// Largest relative roughness ε/D accepted, the edge of the Moody chart.
pub const MAX_RELATIVE_ROUGHNESS: f64 = 0.05;

/// The flow regime a Reynolds number falls in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlowRegime {
    /// Re < 2300: f = 64/Re (Hagen–Poiseuille).
    Laminar,
    /// 2300 ≤ Re < 4000: interpolated, see [`friction_factor`].
    Transitional,
    /// Re ≥ 4000: Colebrook.
    Turbulent,
}

/// The regime of a Reynolds number (which must be finite and > 0).
pub fn flow_regime(re: f64) -> Result<FlowRegime> {
    let re = positive("Reynolds number", re)?;
    Ok(if re < LAMINAR_LIMIT {
        FlowRegime::Laminar
    } else if re < TURBULENT_LIMIT {
        FlowRegime::Transitional
    } else {
        FlowRegime::Turbulent
    })
}

/// Reynolds number of a pipe flow from its mass flow:
/// Re = ρvD/μ = 4ṁ/(πDμ).
pub fn reynolds(
    mass_flow: MassFlow,
    inner_diameter: Length,
    viscosity: DynamicViscosity,
) -> Result<f64> {
    let m = positive("mass flow [kg/s]", mass_flow.kg_per_s())?;
    let d = positive("inner diameter [m]", inner_diameter.m())?;
    let mu = positive("viscosity [Pa s]", viscosity.pa_s())?;
    finite("Reynolds number", 4.0 * m / (PI * d * mu))
}

/// Darcy friction factor from the Colebrook–White equation, solved exactly:
///
/// 1/√f = −2 log₁₀(ε/(3.7 D) + 2.51/(Re √f))
///
/// (C. F. Colebrook, J. Inst. Civil Eng. 11 (1939) 133). With y = 1/√f,
/// g(y) = y + 2 log₁₀(a + b y), a = (ε/D)/3.7, b = 2.51/Re, is increasing
/// and concave, so Newton's method started left of the root (y = 1, where
/// g < 0 for every accepted input) climbs to it monotonically without
/// overshooting; it stops when a step changes y by less than 1e-15
/// relative. `re` must be ≥ 2000 (Colebrook is a turbulent-flow law) and
/// 0 ≤ ε/D ≤ 0.05.
pub fn colebrook(re: f64, relative_roughness: f64) -> Result<f64> {
    let re = finite("Reynolds number", re)?;
    if re < 2000.0 {
        return Err(CalcError::OutOfRange {
            name: "Reynolds number",
            value: re,
            expected: "at least 2000 for the Colebrook equation (turbulent flow)",
        });
    }
    let rr = check_relative_roughness(relative_roughness)?;
    let (a, b) = (rr / 3.7, 2.51 / re);
    let mut y = 1.0_f64;
    for _ in 0..100 {
        let arg = a + b * y;
        let g = y + 2.0 * arg.log10();
        let slope = 1.0 + 2.0 * b / (arg * LN_10);
        let step = g / slope;
        y -= step;
        if step.abs() <= 1e-15 * y.abs() {
            return finite("friction factor", 1.0 / (y * y));
        }
    }
    Err(CalcError::NoConvergence {
        what: "Colebrook friction factor",
    })
}

fn check_relative_roughness(rr: f64) -> Result<f64> {
    let rr = finite("relative roughness", rr)?;
    if (0.0..=MAX_RELATIVE_ROUGHNESS).contains(&rr) {
        Ok(rr)
    } else {
        Err(CalcError::OutOfRange {
            name: "relative roughness",
            value: rr,
            expected: "between 0 and 0.05 (the range of the Moody chart)",
        })
    }
}

/// Darcy friction factor for any Reynolds number:
///
/// - laminar, Re < 2300: f = 64/Re;
/// - turbulent, Re ≥ 4000: [`colebrook`];
/// - in between, where the flow is intermittent and no correlation is
///   reliable, f is interpolated linearly in Re between 64/2300 and the
///   Colebrook value at Re = 4000. This is an engineering convention (it
///   keeps f continuous so that iterations on it behave), not physics;
///   expect ±30 % there.
pub fn friction_factor(re: f64, relative_roughness: f64) -> Result<f64> {
    let rr = check_relative_roughness(relative_roughness)?;
    match flow_regime(re)? {
        FlowRegime::Laminar => finite("friction factor", 64.0 / re),
        FlowRegime::Turbulent => colebrook(re, rr),
        FlowRegime::Transitional => {
            let f_lam = 64.0 / LAMINAR_LIMIT;
            let f_turb = colebrook(TURBULENT_LIMIT, rr)?;
            let w = (re - LAMINAR_LIMIT) / (TURBULENT_LIMIT - LAMINAR_LIMIT);
            Ok(f_lam + w * (f_turb - f_lam))
        }
    }
}

/// A pipe segment and the fluid in it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PipeFlow {
    /// Mass flow through the pipe.
    pub mass_flow: MassFlow,
    /// Inner (bore) diameter.
    pub inner_diameter: Length,
    /// Length of straight pipe.
    pub length: Length,
    /// Absolute wall roughness ε ([`COMMERCIAL_STEEL_ROUGHNESS`] for steel).
    pub roughness: Length,
    /// Fluid density (for steam, from IF97 at the mean conditions).
    pub density: Density,
    /// Fluid dynamic viscosity.
    pub viscosity: DynamicViscosity,
    /// Sum of the K-factors of the fittings and valves (0 for straight pipe).
    pub fittings_k: f64,
    /// Outlet height minus inlet height (positive when the pipe rises).
    pub elevation_change: Length,
    /// Inlet pressure, to report the drop as a fraction of it (optional).
    pub inlet_pressure: Option<Pressure>,
}

impl PipeFlow {
    /// A steel pipe carrying the single-phase or saturated `state` (density
    /// and viscosity from IF97 and IAPWS R12-08), with no fittings, level,
    /// and the state's pressure as inlet pressure.
    pub fn steam(
        state: &State,
        mass_flow: MassFlow,
        inner_diameter: Length,
        length: Length,
    ) -> Result<PipeFlow> {
        Ok(PipeFlow {
            mass_flow,
            inner_diameter,
            length,
            roughness: COMMERCIAL_STEEL_ROUGHNESS,
            density: state.rho,
            viscosity: steam_viscosity(state)?,
            fittings_k: 0.0,
            elevation_change: Length::from_m(0.0),
            inlet_pressure: Some(state.p),
        })
    }
}

/// The pressure drop of a [`PipeFlow`] and the quantities behind it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PressureDrop {
    /// Friction in straight pipe, f (L/D) ρv²/2.
    pub friction: PressureDifference,
    /// Fittings, ΣK ρv²/2.
    pub fittings: PressureDifference,
    /// Elevation, ρ g Δz (negative when the pipe falls).
    pub elevation: PressureDifference,
    /// The sum of the three.
    pub total: PressureDifference,
    /// Mean velocity, ṁ/(ρ π D²/4).
    pub velocity: Velocity,
    /// Velocity head ρv²/2.
    pub velocity_head: PressureDifference,
    /// Reynolds number.
    pub reynolds: f64,
    /// Darcy friction factor.
    pub friction_factor: f64,
    /// Flow regime.
    pub regime: FlowRegime,
    /// Total drop over inlet pressure, when the inlet pressure was given.
    pub relative_drop: Option<f64>,
    /// Whether the relative drop exceeds [`ACCEPTABLE_RELATIVE_DROP`]
    /// (false when no inlet pressure was given).
    pub exceeds_acceptable_drop: bool,
}

/// Darcy–Weisbach pressure drop of a pipe segment (see the module docs).
///
/// Errors: a non-finite input; a non-positive mass flow, diameter, density
/// or viscosity; a negative length, roughness or K sum; ε/D above 0.05.
pub fn pressure_drop(flow: &PipeFlow) -> Result<PressureDrop> {
    let d = positive("inner diameter [m]", flow.inner_diameter.m())?;
    let length = non_negative("pipe length [m]", flow.length.m())?;
    let eps = non_negative("roughness [m]", flow.roughness.m())?;
    let rho = positive("density [kg/m3]", flow.density.kg_per_m3())?;
    let k_sum = non_negative("sum of K-factors", flow.fittings_k)?;
    let dz = finite("elevation change [m]", flow.elevation_change.m())?;
    let m = positive("mass flow [kg/s]", flow.mass_flow.kg_per_s())?;
    let re = reynolds(flow.mass_flow, flow.inner_diameter, flow.viscosity)?;
    let f = friction_factor(re, eps / d)?;
    let v = finite("velocity [m/s]", m / (rho * PI * d * d / 4.0))?;
    let head = rho * v * v / 2.0;
    let friction = f * length / d * head;
    let fittings = k_sum * head;
    let elevation = rho * STANDARD_GRAVITY * dz;
    let total = finite("pressure drop [Pa]", friction + fittings + elevation)?;
    let relative_drop = match flow.inlet_pressure {
        Some(p) => Some(total / positive("inlet pressure [Pa]", p.pa())?),
        None => None,
    };
    Ok(PressureDrop {
        friction: PressureDifference::from_pa(finite("friction drop [Pa]", friction)?),
        fittings: PressureDifference::from_pa(finite("fittings drop [Pa]", fittings)?),
        elevation: PressureDifference::from_pa(elevation),
        total: PressureDifference::from_pa(total),
        velocity: Velocity::from_m_per_s(v),
        velocity_head: PressureDifference::from_pa(head),
        reynolds: re,
        friction_factor: f,
        regime: flow_regime(re)?,
        relative_drop,
        exceeds_acceptable_drop: relative_drop.is_some_and(|r| r > ACCEPTABLE_RELATIVE_DROP),
    })
}

/// Velocity limits for a pipe service: a recommended design maximum and an
/// upper limit beyond which erosion, noise and water hammer are expected.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VelocityLimits {
    /// Design velocity not to exceed in normal operation.
    pub recommended_max: Velocity,
    /// Velocity that must not be exceeded.
    pub absolute_max: Velocity,
}

impl VelocityLimits {
    /// Saturated steam mains: 25 m/s recommended, 40 m/s at most (the
    /// 25–40 m/s range steam-system guides such as Spirax Sarco's give;
    /// wet steam erodes above it).
    pub const SATURATED_STEAM: VelocityLimits = VelocityLimits {
        recommended_max: Velocity::from_m_per_s(25.0),
        absolute_max: Velocity::from_m_per_s(40.0),
    };
    /// Superheated steam: 40 m/s recommended, 60 m/s at most (dry steam
    /// tolerates more; noise and pressure drop set the limit).
    pub const SUPERHEATED_STEAM: VelocityLimits = VelocityLimits {
        recommended_max: Velocity::from_m_per_s(40.0),
        absolute_max: Velocity::from_m_per_s(60.0),
    };
}

/// Outcome of a velocity check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VelocityCheck {
    /// At or below the recommended maximum.
    WithinRecommended,
    /// Above the recommended maximum, at or below the absolute one.
    AboveRecommended,
    /// Above the absolute maximum.
    AboveMaximum,
}

/// Compares a velocity with a service's limits.
///
/// Errors: a non-finite or negative velocity, or limits that are not
/// positive with the recommended maximum at most the absolute one.
pub fn check_velocity(velocity: Velocity, limits: VelocityLimits) -> Result<VelocityCheck> {
    let v = non_negative("velocity [m/s]", velocity.m_per_s())?;
    let rec = positive(
        "recommended velocity limit [m/s]",
        limits.recommended_max.m_per_s(),
    )?;
    let max = positive(
        "absolute velocity limit [m/s]",
        limits.absolute_max.m_per_s(),
    )?;
    if rec > max {
        return Err(CalcError::Inconsistent(format!(
            "recommended velocity limit ({rec} m/s) is above the absolute limit ({max} m/s)"
        )));
    }
    Ok(if v <= rec {
        VelocityCheck::WithinRecommended
    } else if v <= max {
        VelocityCheck::AboveRecommended
    } else {
        VelocityCheck::AboveMaximum
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn colebrook_residual(f: f64, re: f64, rr: f64) -> f64 {
        1.0 / f.sqrt() + 2.0 * (rr / 3.7 + 2.51 / (re * f.sqrt())).log10()
    }

    /// The Moody-chart value read in textbooks for Re = 10⁵, ε/D = 10⁻⁴ is
    /// f ≈ 0.0185; the exact Colebrook root is 0.018 51.
    #[test]
    fn moody_chart_point() {
        let f = friction_factor(1e5, 1e-4).unwrap();
        assert!((f - 0.0185).abs() < 1e-4, "{f}");
        assert!(colebrook_residual(f, 1e5, 1e-4).abs() < 1e-12);
    }

    /// The limits Colebrook was built to join: Prandtl–von Kármán for smooth
    /// pipe (1/√f = 2 log₁₀(Re√f) − 0.8, which gives f = 0.0180 at
    /// Re = 10⁵) and von Kármán's fully rough law 1/√f = −2 log₁₀(ε/3.7D).
    #[test]
    fn smooth_and_fully_rough_limits() {
        let f = colebrook(1e5, 0.0).unwrap();
        assert!((f - 0.0180).abs() < 1e-4, "{f}");
        let rough = colebrook(1e12, 0.01).unwrap();
        let von_karman = (-2.0 * (0.01_f64 / 3.7).log10()).powi(-2);
        assert!(
            ((rough - von_karman) / von_karman).abs() < 1e-6,
            "{rough} vs {von_karman}"
        );
    }

    /// Haaland's explicit formula is within about 2 % of Colebrook across
    /// the turbulent Moody chart (S. E. Haaland, J. Fluids Eng. 105 (1983) 89).
    #[test]
    fn agrees_with_haaland() {
        for re in [4e3, 1e4, 1e5, 1e6, 1e7, 1e8] {
            for rr in [0.0, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.05] {
                let f = colebrook(re, rr).unwrap();
                let haaland = (-1.8 * ((rr / 3.7_f64).powf(1.11) + 6.9 / re).log10()).powi(-2);
                assert!(
                    ((f - haaland) / f).abs() < 0.03,
                    "Re={re} rr={rr}: {f} vs {haaland}"
                );
                assert!(colebrook_residual(f, re, rr).abs() < 1e-10);
            }
        }
    }

    #[test]
    fn laminar_and_transition_are_continuous() {
        assert!((friction_factor(1000.0, 1e-3).unwrap() - 0.064).abs() < 1e-15);
        let below = friction_factor(LAMINAR_LIMIT * (1.0 - 1e-12), 1e-3).unwrap();
        let at = friction_factor(LAMINAR_LIMIT, 1e-3).unwrap();
        assert!((below - at).abs() < 1e-10);
        let before = friction_factor(TURBULENT_LIMIT * (1.0 - 1e-12), 1e-3).unwrap();
        let after = friction_factor(TURBULENT_LIMIT, 1e-3).unwrap();
        assert!((before - after).abs() < 1e-10);
        assert_eq!(flow_regime(3000.0).unwrap(), FlowRegime::Transitional);
    }

    /// A hand check: 1 kg/s of 10 bar(a) saturated steam (ρ = 5.145 kg/m³,
    /// μ = 15.0 µPa s) in 100 m of DN100 steel pipe (D = 102.3 mm):
    /// v = 1/(5.145 × π × 0.1023²/4) = 23.6 m/s, Re = 8.30e5, ε/D = 4.4e-4,
    /// f = 0.0169 (Colebrook, by fixed-point iteration), Δp = f (L/D) ρv²/2
    /// = 0.0169 × 977.5 × 1438 = 23.75 kPa, about 2.4 % of the inlet pressure.
    #[test]
    fn steam_main_hand_check() {
        let flow = PipeFlow {
            mass_flow: MassFlow::from_kg_per_s(1.0),
            inner_diameter: Length::from_mm(102.3),
            length: Length::from_m(100.0),
            roughness: COMMERCIAL_STEEL_ROUGHNESS,
            density: Density::from_kg_per_m3(5.145),
            viscosity: DynamicViscosity::from_pa_s(15.0e-6),
            fittings_k: 0.0,
            elevation_change: Length::from_m(0.0),
            inlet_pressure: Some(Pressure::from_bar(10.0)),
        };
        let drop = pressure_drop(&flow).unwrap();
        assert!((drop.velocity.m_per_s() - 23.6).abs() < 0.05, "{drop:?}");
        assert!((drop.reynolds - 8.30e5).abs() < 0.01e5);
        assert!(
            (drop.friction_factor - 0.016_891).abs() < 1e-6,
            "{}",
            drop.friction_factor
        );
        assert!(
            (drop.total.kpa() - 23.75).abs() < 0.01,
            "{}",
            drop.total.kpa()
        );
        assert!(!drop.exceeds_acceptable_drop);
        assert_eq!(
            check_velocity(drop.velocity, VelocityLimits::SATURATED_STEAM).unwrap(),
            VelocityCheck::WithinRecommended
        );
    }

    /// Crane TP-410 example 7-10 (as reproduced in the documentation of the
    /// `fluids` Python library): 40 000 kg/h of steam at 40 bar and 450 °C
    /// in 120 m of 150 mm schedule-80 pipe (bore 146.36 mm, ε = 0.0018 in).
    /// Crane's friction term f L/D is 12.3 (its f read from a chart); the
    /// library computes ρ = 12.5195 kg/m³ and μ = 26.557 µPa s. IF97 gives
    /// ρ = 12.493 kg/m³ (v = 0.08004 m³/kg, as in printed steam tables;
    /// 0.2 % from the library's equation of state), R12-08 the same μ to
    /// 0.5 %, and the exact Colebrook f puts f L/D within 3 % of Crane's.
    #[test]
    fn crane_example_7_10_friction_term() {
        let state = crate::if97::state_pt(
            Pressure::from_bar(40.0),
            crate::units::Temperature::from_celsius(450.0),
        )
        .unwrap();
        assert!(
            (state.v.m3_per_kg() - 0.080_04).abs() < 1e-5,
            "{:?}",
            state.v
        );
        let flow = PipeFlow {
            roughness: Length::from_inch(0.0018),
            ..PipeFlow::steam(
                &state,
                MassFlow::from_kg_per_h(40_000.0),
                Length::from_mm(146.36),
                Length::from_m(120.0),
            )
            .unwrap()
        };
        assert!(
            (flow.viscosity.pa_s() - 26.557e-6).abs() / 26.557e-6 < 5e-3,
            "{:?}",
            flow.viscosity
        );
        let drop = pressure_drop(&flow).unwrap();
        let k_friction = drop.friction_factor * 120.0 / 0.14636;
        assert!((k_friction - 12.3).abs() / 12.3 < 0.03, "{k_friction}");
        assert!(
            (drop.friction.pa() - k_friction * drop.velocity_head.pa()).abs()
                < 1e-6 * drop.friction.pa()
        );
    }

    #[test]
    fn fittings_and_elevation_add() {
        let base = PipeFlow {
            mass_flow: MassFlow::from_kg_per_s(2.0),
            inner_diameter: Length::from_m(0.05),
            length: Length::from_m(0.0),
            roughness: COMMERCIAL_STEEL_ROUGHNESS,
            density: Density::from_kg_per_m3(1000.0),
            viscosity: DynamicViscosity::from_pa_s(1e-3),
            fittings_k: 2.0,
            elevation_change: Length::from_m(10.0),
            inlet_pressure: None,
        };
        let drop = pressure_drop(&base).unwrap();
        let v = 2.0 / (1000.0 * PI * 0.05 * 0.05 / 4.0);
        assert!((drop.fittings.pa() - 2.0 * 1000.0 * v * v / 2.0).abs() < 1e-9);
        assert!((drop.elevation.pa() - 1000.0 * 9.80665 * 10.0).abs() < 1e-9);
        assert_eq!(drop.friction.pa(), 0.0);
        assert_eq!(drop.relative_drop, None);
        let falling = PipeFlow {
            elevation_change: Length::from_m(-10.0),
            ..base
        };
        assert!(pressure_drop(&falling).unwrap().elevation.pa() < 0.0);
    }

    #[test]
    fn velocity_check_bands() {
        let limits = VelocityLimits::SATURATED_STEAM;
        let check = |v| check_velocity(Velocity::from_m_per_s(v), limits).unwrap();
        assert_eq!(check(20.0), VelocityCheck::WithinRecommended);
        assert_eq!(check(30.0), VelocityCheck::AboveRecommended);
        assert_eq!(check(45.0), VelocityCheck::AboveMaximum);
        let wrong = VelocityLimits {
            recommended_max: Velocity::from_m_per_s(50.0),
            ..limits
        };
        assert!(check_velocity(Velocity::from_m_per_s(1.0), wrong).is_err());
    }

    #[test]
    fn bad_inputs_are_errors() {
        assert!(friction_factor(f64::NAN, 0.0).is_err());
        assert!(friction_factor(0.0, 0.0).is_err());
        assert!(friction_factor(-5.0, 0.0).is_err());
        assert!(friction_factor(1e5, -1e-4).is_err());
        assert!(friction_factor(1e5, 0.2).is_err());
        assert!(colebrook(1000.0, 0.0).is_err());
        assert!(
            reynolds(
                MassFlow::from_kg_per_s(1.0),
                Length::from_m(0.0),
                DynamicViscosity::from_pa_s(1e-5)
            )
            .is_err()
        );
    }

    proptest! {
        #[test]
        fn friction_factor_never_panics(re: f64, rr: f64) {
            if let Ok(f) = friction_factor(re, rr) {
                prop_assert!(f.is_finite() && f > 0.0);
            }
        }

        #[test]
        fn colebrook_solves_its_equation(re in 2000.0f64..1e9, rr in 0.0f64..0.05) {
            let f = colebrook(re, rr).unwrap();
            prop_assert!(colebrook_residual(f, re, rr).abs() < 1e-9);
        }

        #[test]
        fn pressure_drop_never_panics(v in prop::array::uniform10(any::<f64>()), inlet in prop::option::of(any::<f64>())) {
            let flow = PipeFlow {
                mass_flow: MassFlow::from_kg_per_s(v[0]),
                inner_diameter: Length::from_m(v[1]),
                length: Length::from_m(v[2]),
                roughness: Length::from_m(v[3]),
                density: Density::from_kg_per_m3(v[4]),
                viscosity: DynamicViscosity::from_pa_s(v[5]),
                fittings_k: v[6],
                elevation_change: Length::from_m(v[7]),
                inlet_pressure: inlet.map(Pressure::from_pa),
            };
            if let Ok(drop) = pressure_drop(&flow) {
                prop_assert!(drop.total.pa().is_finite());
            }
            let _ = check_velocity(Velocity::from_m_per_s(v[8]), VelocityLimits { recommended_max: Velocity::from_m_per_s(v[9]), absolute_max: Velocity::from_m_per_s(v[9]) });
        }
    }
}
