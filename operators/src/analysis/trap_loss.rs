//! Steam lost through a failed steam trap, and what it costs.
//!
//! The trap's orifice is treated as a steam leak ([`super::leak`]):
//!
//! - blow-through (failed open): the whole orifice passes live steam;
//! - leaking: a fraction of the orifice area passes steam (a worn seat, a
//!   valve that no longer closes fully);
//!
//! with the upstream steam dry saturated unless told otherwise, and C_d
//! 0.7 by default. A failed-open trap also passes the condensate it should,
//! which takes up part of the orifice; like the US DOE table this ignores
//! that, so the loss is an upper estimate for traps on heavily loaded
//! drains.
//!
//! The energy of the lost steam is counted as m (h_steam − h_makeup): the
//! steam is lost from the cycle (blow-through steam that reaches a vented
//! return is vented as flash), so the boiler must raise the same mass again
//! from make-up water. This is the energy basis of the steam cost too. The
//! latent part m h_fg (the seed design's `E_loss = m_leak × h_fg`) is
//! reported beside it; it understates the loss by the sensible heat of the
//! make-up water.
//!
//! Money per year = tonnes lost per year × steam cost per tonne.
//!
//! Check: US DOE Steam Tip Sheet #1, a trap stuck open on a 150 psig line
//! with a 1/8-in orifice loses 75.8 lb/h; with C_d = 0.7 this gives 71.8
//! lb/h (−5 %), see [`super::leak`] for the table as a whole.

use super::error::{CalcError, Result, finite, non_negative, positive_fraction};
use super::leak::{
    DEFAULT_DISCHARGE_COEFFICIENT, IsentropicExponent, LeakRate, OrificeLeak, SteamCondition,
    orifice_leak,
};
use crate::if97::{Saturation, h_pt};
use crate::units::{Duration, Energy, Length, MassFlow, Power, Pressure, Temperature};

/// How a trap has failed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TrapFailure {
    /// Failed open: the whole orifice passes steam.
    BlowThrough,
    /// Leaking: this fraction (0 < f ≤ 1) of the orifice area passes steam.
    Leaking {
        /// Fraction of the orifice area open to steam.
        open_area_fraction: f64,
    },
}

/// A failed trap and the prices that value its loss.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrapLossInput {
    /// Absolute steam pressure at the trap inlet.
    pub upstream_pressure: Pressure,
    /// The steam at the inlet (usually dry saturated).
    pub condition: SteamCondition,
    /// Absolute pressure after the trap (atmosphere, or the condensate return).
    pub downstream_pressure: Pressure,
    /// Diameter of the trap's orifice (seat).
    pub orifice_diameter: Length,
    /// How it has failed.
    pub failure: TrapFailure,
    /// Discharge coefficient of the orifice.
    pub discharge_coefficient: f64,
    /// Make-up water temperature, the reference of the energy lost.
    pub makeup_temperature: Temperature,
    /// Cost of one tonne of steam (see [`crate::economics::steam_cost()`]).
    pub steam_cost_per_tonne: f64,
    /// Hours the line is under steam in a year.
    pub operating_time_per_year: Duration,
}

impl TrapLossInput {
    /// A trap failed open on a dry saturated steam line at `upstream`,
    /// discharging to the standard atmosphere, C_d = 0.7, make-up water at
    /// 15 °C, 8760 h a year, and no price (cost 0).
    pub fn blow_through(upstream: Pressure, orifice_diameter: Length) -> Self {
        TrapLossInput {
            upstream_pressure: upstream,
            condition: SteamCondition::DrySaturated,
            downstream_pressure: Pressure::from_pa(crate::units::STANDARD_ATMOSPHERE_PA),
            orifice_diameter,
            failure: TrapFailure::BlowThrough,
            discharge_coefficient: DEFAULT_DISCHARGE_COEFFICIENT,
            makeup_temperature: Temperature::from_celsius(15.0),
            steam_cost_per_tonne: 0.0,
            operating_time_per_year: Duration::from_h(8760.0),
        }
    }
}

/// What a failed trap loses.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrapLoss {
    /// The leak through the orifice (model, choking, κ…).
    pub leak: LeakRate,
    /// Steam lost.
    pub steam_loss: MassFlow,
    /// Energy rate to replace it from make-up water, m (h_steam − h_makeup).
    pub energy_loss: Power,
    /// Its latent part alone, m h_fg.
    pub latent_heat_loss: Power,
    /// Tonnes of steam lost per year.
    pub tonnes_per_year: f64,
    /// Energy lost per year (replacement basis).
    pub energy_per_year: Energy,
    /// Cost per year, tonnes × steam cost.
    pub cost_per_year: f64,
}

/// Steam, energy and money lost through a failed trap (see the module docs).
///
/// Errors: those of [`orifice_leak`]; an open-area fraction outside (0, 1];
/// a negative or non-finite steam cost or operating time; a make-up
/// temperature outside the liquid range of IF97 at atmospheric pressure.
pub fn trap_loss(input: &TrapLossInput) -> Result<TrapLoss> {
    let fraction = match input.failure {
        TrapFailure::BlowThrough => 1.0,
        TrapFailure::Leaking { open_area_fraction } => {
            positive_fraction("open area fraction", open_area_fraction)?
        }
    };
    let cost = non_negative("steam cost per tonne", input.steam_cost_per_tonne)?;
    let hours = non_negative(
        "operating time per year [h]",
        input.operating_time_per_year.h(),
    )?;
    if hours > 8784.0 {
        return Err(CalcError::OutOfRange {
            name: "operating time per year [h]",
            value: hours,
            expected: "at most 8784 h (a leap year)",
        });
    }
    // The same area as a fraction of the orifice: an equivalent diameter.
    let diameter = Length::from_m(input.orifice_diameter.m() * fraction.sqrt());
    let leak = orifice_leak(&OrificeLeak {
        upstream_pressure: input.upstream_pressure,
        condition: input.condition,
        downstream_pressure: input.downstream_pressure,
        diameter,
        discharge_coefficient: input.discharge_coefficient,
        exponent: IsentropicExponent::Auto,
    })?;
    let m = leak.mass_flow.kg_per_s();
    let h_makeup = makeup_enthalpy(input.makeup_temperature)?;
    let h_fg = Saturation::at_pressure(input.upstream_pressure)?
        .hfg()
        .j_per_kg();
    let energy_w = finite(
        "energy loss [W]",
        m * (leak.upstream_enthalpy.j_per_kg() - h_makeup),
    )?;
    let seconds = hours * 3600.0;
    let tonnes = m * seconds / 1000.0;
    Ok(TrapLoss {
        leak,
        steam_loss: leak.mass_flow,
        energy_loss: Power::from_w(energy_w),
        latent_heat_loss: Power::from_w(m * h_fg),
        tonnes_per_year: tonnes,
        energy_per_year: Energy::from_j(energy_w * seconds),
        cost_per_year: finite("cost per year", tonnes * cost)?,
    })
}

/// Enthalpy of make-up water at atmospheric pressure [J/kg] (IF97 region 1).
fn makeup_enthalpy(t: Temperature) -> Result<f64> {
    let t_k = finite("make-up water temperature [K]", t.kelvin())?;
    if !(273.15..=373.0).contains(&t_k) {
        return Err(CalcError::OutOfRange {
            name: "make-up water temperature [K]",
            value: t_k,
            expected: "liquid at atmospheric pressure, 0 °C to 99.8 °C",
        });
    }
    Ok(h_pt(Pressure::from_pa(crate::units::STANDARD_ATMOSPHERE_PA), t)?.j_per_kg())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// US DOE Steam Tip Sheet #1 example: a trap stuck open on a 150 psig
    /// line, 1/8-in orifice, loses 75.8 lb/h by the sheet's table; at
    /// $4.50 per 1000 lb and 8760 h/yr that is $2,988 a year. With C_d = 0.7
    /// this model gives 71.8 lb/h (5 % less; the table is 0.73 × Napier).
    #[test]
    fn doe_tip_sheet_1_example() {
        let per_tonne = 4.50 / (1000.0 * crate::units::POUND_KG / 1000.0);
        let input = TrapLossInput {
            steam_cost_per_tonne: per_tonne,
            ..TrapLossInput::blow_through(Pressure::from_psig(150.0), Length::from_inch(0.125))
        };
        let loss = trap_loss(&input).unwrap();
        let lb_h = loss.steam_loss.lb_per_h();
        assert!((lb_h - 75.8).abs() / 75.8 < 0.06, "{lb_h}");
        // Money follows the mass: $2,988 × (ours / 75.8).
        let expected_cost = 2988.0 * lb_h / 75.8;
        assert!(
            (loss.cost_per_year - expected_cost).abs() / expected_cost < 0.002,
            "{}",
            loss.cost_per_year
        );
        // Replacement energy exceeds the latent part by the sensible heat of make-up water.
        assert!(loss.energy_loss.w() > loss.latent_heat_loss.w());
        let ratio = loss.energy_loss.w() / loss.latent_heat_loss.w();
        assert!(ratio > 1.3 && ratio < 1.4, "{ratio}");
    }

    #[test]
    fn partial_leak_scales_with_area() {
        let full = trap_loss(&TrapLossInput::blow_through(
            Pressure::from_barg(10.0),
            Length::from_mm(6.0),
        ))
        .unwrap();
        let quarter = trap_loss(&TrapLossInput {
            failure: TrapFailure::Leaking {
                open_area_fraction: 0.25,
            },
            ..TrapLossInput::blow_through(Pressure::from_barg(10.0), Length::from_mm(6.0))
        })
        .unwrap();
        assert!((quarter.steam_loss.kg_per_s() / full.steam_loss.kg_per_s() - 0.25).abs() < 1e-12);
    }

    #[test]
    fn annual_figures() {
        let input = TrapLossInput {
            steam_cost_per_tonne: 30.0,
            operating_time_per_year: Duration::from_h(6000.0),
            ..TrapLossInput::blow_through(Pressure::from_barg(10.0), Length::from_mm(6.0))
        };
        let loss = trap_loss(&input).unwrap();
        let tonnes = loss.steam_loss.kg_per_h() * 6000.0 / 1000.0;
        assert!((loss.tonnes_per_year - tonnes).abs() < 1e-9 * tonnes);
        assert!((loss.cost_per_year - 30.0 * tonnes).abs() < 1e-9 * tonnes);
        assert!((loss.energy_per_year.j() - loss.energy_loss.w() * 6000.0 * 3600.0).abs() < 1e-3);
    }

    #[test]
    fn bad_inputs_are_errors() {
        let good = TrapLossInput::blow_through(Pressure::from_barg(10.0), Length::from_mm(6.0));
        for bad in [
            TrapLossInput {
                failure: TrapFailure::Leaking {
                    open_area_fraction: 0.0,
                },
                ..good
            },
            TrapLossInput {
                failure: TrapFailure::Leaking {
                    open_area_fraction: 1.5,
                },
                ..good
            },
            TrapLossInput {
                steam_cost_per_tonne: -1.0,
                ..good
            },
            TrapLossInput {
                steam_cost_per_tonne: f64::NAN,
                ..good
            },
            TrapLossInput {
                operating_time_per_year: Duration::from_h(9000.0),
                ..good
            },
            TrapLossInput {
                makeup_temperature: Temperature::from_celsius(120.0),
                ..good
            },
            TrapLossInput {
                orifice_diameter: Length::from_m(-0.01),
                ..good
            },
        ] {
            assert!(trap_loss(&bad).is_err(), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn never_panics(v in prop::array::uniform8(any::<f64>()), leaking: bool) {
            let input = TrapLossInput {
                upstream_pressure: Pressure::from_pa(v[0]),
                condition: SteamCondition::DrySaturated,
                downstream_pressure: Pressure::from_pa(v[1]),
                orifice_diameter: Length::from_m(v[2]),
                failure: if leaking { TrapFailure::Leaking { open_area_fraction: v[3] } } else { TrapFailure::BlowThrough },
                discharge_coefficient: v[4],
                makeup_temperature: Temperature::from_kelvin(v[5]),
                steam_cost_per_tonne: v[6],
                operating_time_per_year: Duration::from_h(v[7]),
            };
            if let Ok(loss) = trap_loss(&input) {
                prop_assert!(loss.cost_per_year.is_finite() && loss.cost_per_year >= 0.0);
            }
        }
    }
}
