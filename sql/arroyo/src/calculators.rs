//! Steam-system calculators: flash steam, orifice leaks, pipe heat loss.

use steamflow_operators::analysis::flash;
use steamflow_operators::analysis::heat_loss::{self, Insulation, PipeHeatLossInput};
use steamflow_operators::analysis::leak::{self, OrificeLeak};
use steamflow_operators::units::{Length, Pressure, Temperature, ThermalConductivity};

use crate::finite;

/// Flash fraction [kg flash steam per kg condensate, 0–1] of saturated
/// condensate at `p_high_bar_abs` [bar absolute] let down to
/// `p_low_bar_abs` [bar absolute]: (h'(p_high) − h'(p_low)) / h_fg(p_low),
/// clamped to 0–1. Both pressures 0.00611213–220.64 bar; a "drop" to a
/// higher pressure flashes nothing (0).
///
/// 11.01325 → 1.01325 bar (10 barg to atmosphere) gives 0.161.
pub fn flash_fraction(p_high_bar_abs: f64, p_low_bar_abs: f64) -> Option<f64> {
    let result = flash::flash_fraction(
        Pressure::from_bar(p_high_bar_abs),
        Pressure::from_bar(p_low_bar_abs),
        None,
    )
    .ok()?;
    finite(result.fraction)
}

/// Leak rate [kg/h] of dry saturated steam at `p_bar_abs` [bar absolute,
/// below 220.64] to the standard atmosphere through a hole of `diameter_mm`
/// [mm].
///
/// The compressible isentropic orifice equation with discharge coefficient
/// 0.7 and Zeuner's exponent κ = 1.135, choked below the critical ratio
/// 0.577 (steamflow-operators' `orifice_leak`). A pressure at or below the
/// atmosphere leaks nothing (0).
pub fn steam_leak_kg_h(p_bar_abs: f64, diameter_mm: f64) -> Option<f64> {
    let leak = OrificeLeak::saturated_to_atmosphere(
        Pressure::from_bar(p_bar_abs),
        Length::from_mm(diameter_mm),
    );
    let rate = leak::orifice_leak(&leak).ok()?;
    finite(rate.mass_flow.kg_per_h())
}

/// Heat loss [W per metre of pipe] of a horizontal pipe carrying fluid at
/// `t_fluid_c` [°C] in still air at `t_air_c` [°C] (radiating to
/// surroundings at the air temperature, 1 atm): pipe outside diameter
/// `outer_diameter_mm` [mm], insulation `insulation_mm` [mm thick; 0 for a
/// bare pipe] of conductivity `insulation_w_per_m_k` [W/(m K); ignored when
/// bare].
///
/// Natural convection from Churchill–Chu and radiation with emissivity 0.9
/// (oxidised steel); an insulated pipe's surface temperature is solved from
/// the conduction balance (steamflow-operators' `pipe_heat_loss`). A fluid
/// colder than the air gives a negative loss (a gain).
pub fn pipe_heat_loss_w_per_m(
    t_fluid_c: f64,
    t_air_c: f64,
    outer_diameter_mm: f64,
    insulation_mm: f64,
    insulation_w_per_m_k: f64,
) -> Option<f64> {
    let mut input = PipeHeatLossInput::bare(
        Temperature::from_celsius(t_fluid_c),
        Temperature::from_celsius(t_air_c),
        Length::from_mm(outer_diameter_mm),
        Length::from_m(1.0),
    );
    // Any thickness but exactly 0 is insulation: a negative or NaN one is
    // then refused by the calculation (NULL), not taken for a bare pipe.
    if insulation_mm != 0.0 {
        input.insulation = Some(Insulation {
            thickness: Length::from_mm(insulation_mm),
            conductivity: ThermalConductivity::from_w_per_m_k(insulation_w_per_m_k),
        });
    }
    let loss = heat_loss::pipe_heat_loss(&input).ok()?;
    finite(loss.per_length.w_per_m())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Engineering ToolBox flash-steam table: 10 barg to 0 barg flashes
    /// 16.1 % (the figure steamflow-operators' flash module is checked on).
    #[test]
    fn flash_from_ten_barg_to_atmosphere() {
        let x = flash_fraction(11.013_25, 1.013_25).expect("a value");
        assert!((x - 0.161).abs() < 0.001, "{x}");
        assert_eq!(flash_fraction(1.0, 5.0), Some(0.0));
        assert_eq!(flash_fraction(f64::NAN, 1.0), None);
        assert_eq!(flash_fraction(300.0, 1.0), None);
    }

    /// Napier's formula, W [lb/s] = A [in²] · P [psia] / 70, times C_d = 0.7,
    /// is the cross-check steamflow-operators' leak module is held to
    /// (within 2.5 % for saturated steam from 3 to 70 bar).
    #[test]
    fn leak_agrees_with_napier_times_the_discharge_coefficient() {
        let (p_bar, hole_mm) = (11.0, 3.0);
        let area_in2 = std::f64::consts::PI / 4.0 * (hole_mm / 25.4_f64).powi(2);
        let p_psia = p_bar * 1e5 / 6_894.757_293_168_361;
        let napier_kg_h = area_in2 * p_psia / 70.0 * 0.453_592_37 * 3600.0 * 0.7;
        let leak = steam_leak_kg_h(p_bar, hole_mm).expect("a value");
        assert!(
            (leak / napier_kg_h - 1.0).abs() < 0.025,
            "{leak} vs {napier_kg_h}"
        );
        assert_eq!(steam_leak_kg_h(1.0, 3.0), Some(0.0));
        assert_eq!(steam_leak_kg_h(11.0, -3.0), None);
        assert_eq!(steam_leak_kg_h(230.0, 3.0), None);
    }

    /// Incropera et al., 6th ed., Example 9.3: a bare 0.1 m steam pipe at
    /// 165 °C in a room at 23 °C loses 321 W/m by convection and 441 W/m by
    /// radiation at ε = 0.85; at this function's ε = 0.9 the radiation is
    /// 441 × 0.9/0.85 = 467 W/m, 788 W/m in all.
    #[test]
    fn bare_pipe_matches_incropera_example_9_3() {
        let loss = pipe_heat_loss_w_per_m(165.0, 23.0, 100.0, 0.0, 0.0).expect("a value");
        assert!((loss / 788.0 - 1.0).abs() < 0.02, "{loss}");
    }

    #[test]
    fn insulation_cuts_the_heat_loss() {
        let bare = pipe_heat_loss_w_per_m(180.0, 20.0, 114.3, 0.0, 0.0).expect("bare");
        let insulated = pipe_heat_loss_w_per_m(180.0, 20.0, 114.3, 50.0, 0.04).expect("insulated");
        assert!(
            bare > 5.0 * insulated && insulated > 0.0,
            "{bare} {insulated}"
        );
        assert_eq!(pipe_heat_loss_w_per_m(180.0, 20.0, 114.3, -1.0, 0.04), None);
        assert_eq!(
            pipe_heat_loss_w_per_m(180.0, 20.0, 114.3, f64::NAN, 0.04),
            None
        );
        assert_eq!(pipe_heat_loss_w_per_m(180.0, 20.0, 114.3, 50.0, 0.0), None);
        assert_eq!(pipe_heat_loss_w_per_m(180.0, 20.0, 0.0, 0.0, 0.0), None);
    }
}
