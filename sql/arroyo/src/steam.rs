//! Steam-table functions: IAPWS-IF97 properties in engineering units.

use steamflow_operators::if97::{self, Saturation};
use steamflow_operators::units::{Pressure, Temperature};

use crate::finite;

fn bar(p_bar_abs: f64) -> Pressure {
    Pressure::from_bar(p_bar_abs)
}

fn celsius(t_c: f64) -> Temperature {
    Temperature::from_celsius(t_c)
}

/// Specific enthalpy [kJ/kg] of water or steam at pressure `p_bar_abs`
/// [bar absolute] and temperature `t_c` [°C] (IF97 regions 1, 2, 3 and 5:
/// 0–1000 bar up to 800 °C, up to 500 bar from 800 to 2000 °C).
///
/// On the saturation line (p, T) does not fix the state; use
/// [`steam_h_px`] for saturated and wet steam.
pub fn steam_h_pt(p_bar_abs: f64, t_c: f64) -> Option<f64> {
    let h = if97::h_pt(bar(p_bar_abs), celsius(t_c)).ok()?;
    finite(h.kj_per_kg())
}

/// Specific entropy [kJ/(kg K)] at pressure `p_bar_abs` [bar absolute] and
/// temperature `t_c` [°C] (range as [`steam_h_pt`]).
pub fn steam_s_pt(p_bar_abs: f64, t_c: f64) -> Option<f64> {
    let state = if97::state_pt(bar(p_bar_abs), celsius(t_c)).ok()?;
    finite(state.s.kj_per_kg_k())
}

/// Specific volume [m³/kg] at pressure `p_bar_abs` [bar absolute] and
/// temperature `t_c` [°C] (range as [`steam_h_pt`]).
pub fn steam_v_pt(p_bar_abs: f64, t_c: f64) -> Option<f64> {
    let state = if97::state_pt(bar(p_bar_abs), celsius(t_c)).ok()?;
    finite(state.v.m3_per_kg())
}

/// Density [kg/m³] at pressure `p_bar_abs` [bar absolute] and temperature
/// `t_c` [°C] (range as [`steam_h_pt`]).
pub fn steam_rho_pt(p_bar_abs: f64, t_c: f64) -> Option<f64> {
    let state = if97::state_pt(bar(p_bar_abs), celsius(t_c)).ok()?;
    finite(state.rho.kg_per_m3())
}

/// Specific enthalpy [kJ/kg] of saturated or wet steam at pressure
/// `p_bar_abs` [bar absolute, 0.00611213–220.64] and dryness fraction `x`
/// [0 = saturated liquid … 1 = dry saturated steam].
pub fn steam_h_px(p_bar_abs: f64, x: f64) -> Option<f64> {
    let state = if97::state_px(bar(p_bar_abs), x).ok()?;
    finite(state.h.kj_per_kg())
}

/// Specific entropy [kJ/(kg K)] of saturated or wet steam at pressure
/// `p_bar_abs` [bar absolute] and dryness fraction `x` [0–1].
pub fn steam_s_px(p_bar_abs: f64, x: f64) -> Option<f64> {
    let state = if97::state_px(bar(p_bar_abs), x).ok()?;
    finite(state.s.kj_per_kg_k())
}

/// Specific volume [m³/kg] of saturated or wet steam at pressure
/// `p_bar_abs` [bar absolute] and dryness fraction `x` [0–1].
pub fn steam_v_px(p_bar_abs: f64, x: f64) -> Option<f64> {
    let state = if97::state_px(bar(p_bar_abs), x).ok()?;
    finite(state.v.m3_per_kg())
}

/// Density [kg/m³] of saturated or wet steam at pressure `p_bar_abs` [bar
/// absolute] and dryness fraction `x` [0–1].
pub fn steam_rho_px(p_bar_abs: f64, x: f64) -> Option<f64> {
    let state = if97::state_px(bar(p_bar_abs), x).ok()?;
    finite(state.rho.kg_per_m3())
}

/// Saturation temperature [°C] at pressure `p_bar_abs` [bar absolute,
/// 0.00611213–220.64] (IF97 eq. 31).
pub fn steam_tsat_p(p_bar_abs: f64) -> Option<f64> {
    let t = if97::saturation_temperature(bar(p_bar_abs)).ok()?;
    finite(t.celsius())
}

/// Saturation pressure [bar absolute] at temperature `t_c` [°C,
/// 0–373.946] (IF97 eq. 30).
pub fn steam_psat_t(t_c: f64) -> Option<f64> {
    let p = if97::saturation_pressure(celsius(t_c)).ok()?;
    finite(p.bar())
}

/// Latent heat of vaporisation h'' − h' [kJ/kg] at pressure `p_bar_abs`
/// [bar absolute, 0.00611213–220.64].
pub fn steam_latent_heat_p(p_bar_abs: f64) -> Option<f64> {
    let saturation = Saturation::at_pressure(bar(p_bar_abs)).ok()?;
    finite(saturation.hfg().kj_per_kg())
}

/// Degrees of superheat [K]: temperature `t_c` [°C] above the saturation
/// temperature at pressure `p_bar_abs` [bar absolute, 0.00611213–220.64],
/// T − Tsat(p); negative for subcooled water (the subcooling, negated).
/// NULL above the critical pressure, where no saturation temperature exists.
pub fn steam_superheat_pt(p_bar_abs: f64, t_c: f64) -> Option<f64> {
    if !t_c.is_finite() {
        return None;
    }
    let tsat = if97::saturation_temperature(bar(p_bar_abs)).ok()?;
    finite(t_c - tsat.celsius())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: Option<f64>, expected: f64, tolerance: f64) {
        let actual = actual.expect("a value");
        assert!(
            (actual - expected).abs() <= tolerance,
            "{actual} is not within {tolerance} of {expected}"
        );
    }

    /// IAPWS R7-97(2012), table 5: region 1 at 3 MPa, 300 K and region 2 at
    /// 0.0035 MPa, 300 K (v = 39.4913866 m³/kg, h = 2549.91145 kJ/kg,
    /// s = 8.52238967 kJ/(kg K)).
    #[test]
    fn properties_match_the_release_verification_table() {
        close(steam_h_pt(30.0, 26.85), 115.331_273, 1e-6);
        close(steam_v_pt(30.0, 26.85), 0.001_002_151_68, 1e-12);
        close(steam_s_pt(30.0, 26.85), 0.392_294_792, 1e-9);
        close(steam_h_pt(0.035, 26.85), 2_549.911_45, 1e-5);
        close(steam_v_pt(0.035, 26.85), 39.491_386_6, 1e-6);
        close(steam_rho_pt(0.035, 26.85), 1.0 / 39.491_386_6, 1e-9);
        close(steam_s_pt(0.035, 26.85), 8.522_389_67, 1e-8);
    }

    /// IAPWS R7-97(2012), tables 35 and 36: Tsat(0.1 MPa) = 372.755919 K,
    /// psat(300 K) = 0.00353658941 MPa.
    #[test]
    fn saturation_matches_the_release_verification_tables() {
        close(steam_tsat_p(1.0), 372.755_919 - 273.15, 1e-6);
        close(steam_psat_t(26.85), 0.035_365_894_1, 1e-10);
    }

    /// Steam tables at 101.325 kPa (IAPWS-95 based; Çengel & Boles,
    /// Thermodynamics, table A-5): h' = 419.06, h_fg = 2256.4,
    /// h'' = 2675.6 kJ/kg. IF97 departs from IAPWS-95 by under 0.1 kJ/kg here.
    #[test]
    fn latent_heat_and_wet_enthalpy_at_one_atmosphere() {
        close(steam_latent_heat_p(1.013_25), 2256.4, 0.15);
        close(steam_h_px(1.013_25, 0.0), 419.06, 0.1);
        close(steam_h_px(1.013_25, 1.0), 2675.6, 0.1);
        close(steam_h_px(1.013_25, 0.5), 419.06 + 0.5 * 2256.4, 0.1);
        // v'' = 1.6734 m³/kg, s' = 1.3069, s'' = 7.3544 kJ/(kg K) (same table).
        close(steam_v_px(1.013_25, 1.0), 1.6734, 0.002);
        close(steam_rho_px(1.013_25, 1.0), 1.0 / 1.6734, 0.001);
        close(steam_s_px(1.013_25, 0.0), 1.3069, 0.0005);
        close(steam_s_px(1.013_25, 1.0), 7.3544, 0.0005);
    }

    #[test]
    fn superheat_is_temperature_above_saturation() {
        // Tsat(10 bar) = 179.88 °C.
        close(steam_superheat_pt(10.0, 200.0), 200.0 - 179.88, 0.01);
        close(steam_superheat_pt(10.0, 150.0), 150.0 - 179.88, 0.01);
        assert_eq!(steam_superheat_pt(250.0, 400.0), None);
        assert_eq!(steam_superheat_pt(10.0, f64::NAN), None);
    }

    #[test]
    fn out_of_range_and_non_finite_inputs_are_null() {
        assert_eq!(steam_h_pt(f64::NAN, 100.0), None);
        assert_eq!(steam_h_pt(10.0, f64::INFINITY), None);
        assert_eq!(steam_h_pt(1500.0, 100.0), None);
        assert_eq!(steam_h_pt(10.0, -20.0), None);
        assert_eq!(steam_h_pt(-1.0, 100.0), None);
        assert_eq!(steam_h_px(10.0, 1.5), None);
        assert_eq!(steam_tsat_p(300.0), None);
        assert_eq!(steam_psat_t(400.0), None);
        assert_eq!(steam_latent_heat_p(0.0), None);
    }
}
