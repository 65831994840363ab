//! What returning condensate to the boiler house is worth.
//!
//! Each tonne of condensate returned instead of drained saves
//!
//! - the fuel to heat a tonne of make-up water to the return temperature:
//!   E = m (h(T_return) − h(T_makeup)), fuel = E / η_boiler × fuel price;
//! - a tonne of make-up water and its treatment.
//!
//! The seed design writes the energy as m cp (T_return − T_makeup); here
//! the difference of saturated-liquid enthalpies from IAPWS-IF97 is used,
//! which is that integral with the true cp (4.18–4.25 kJ/(kg K) over
//! 10–150 °C) and differs from compressed-liquid values by well under
//! 0.1 %. T_return is the temperature at which the condensate reaches the
//! feed tank, after any flash in a vented receiver.
//!
//! Recovery rate = condensate returned / condensate produced.

use super::error::{CalcError, Result, finite, non_negative, positive, positive_fraction};
use crate::if97::Saturation;
use crate::units::{Duration, MassFlow, Power, SpecificEnthalpy, Temperature};

/// A condensate return system and the prices that value it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CondensateRecoveryInput {
    /// Condensate formed by the consumers (≈ the steam they use).
    pub condensate_produced: MassFlow,
    /// Condensate that comes back to the feed tank.
    pub condensate_returned: MassFlow,
    /// Temperature of the returned condensate at the feed tank.
    pub return_temperature: Temperature,
    /// Temperature of the make-up water it replaces.
    pub makeup_temperature: Temperature,
    /// Boiler (fuel-to-steam) efficiency, 0 < η ≤ 1.
    pub boiler_efficiency: f64,
    /// Fuel price per GJ of fuel energy.
    pub fuel_price_per_gj: f64,
    /// Make-up water price per tonne (with its sewer charge if any).
    pub water_price_per_tonne: f64,
    /// Treatment cost per tonne of make-up water.
    pub treatment_price_per_tonne: f64,
    /// Hours of operation per year.
    pub operating_time_per_year: Duration,
}

/// The value of the condensate returned, and of what is not.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CondensateRecovery {
    /// Returned / produced, 0 … 1.
    pub recovery_rate: f64,
    /// Condensate produced but not returned.
    pub unrecovered: MassFlow,
    /// Heat the returned condensate brings back, m (h_return − h_makeup).
    pub heat_recovered: Power,
    /// Fuel that heat would otherwise need, heat / η.
    pub fuel_saved: Power,
    /// Value of one tonne returned (fuel + water + treatment).
    pub value_per_tonne: f64,
    /// Tonnes returned per year.
    pub tonnes_returned_per_year: f64,
    /// Fuel saving per year.
    pub fuel_saving_per_year: f64,
    /// Make-up water saving per year.
    pub water_saving_per_year: f64,
    /// Treatment saving per year.
    pub treatment_saving_per_year: f64,
    /// The three savings together.
    pub total_saving_per_year: f64,
    /// What the unrecovered condensate would be worth per year if it were
    /// returned at the same temperature.
    pub unrecovered_value_per_year: f64,
}

/// Saturated-liquid enthalpy at a temperature (IF97), 0.01 °C to 370 °C.
fn liquid_enthalpy(name: &'static str, t: Temperature) -> Result<SpecificEnthalpy> {
    let t_k = finite(name, t.kelvin())?;
    if !(273.16..=643.15).contains(&t_k) {
        return Err(CalcError::OutOfRange {
            name,
            value: t_k,
            expected: "between 273.16 K and 643.15 K (liquid water)",
        });
    }
    Ok(Saturation::at_temperature(t)?.liquid.h)
}

/// Value of condensate recovery (see the module docs).
///
/// Errors: NaN or infinite inputs; negative flows, prices or hours;
/// no condensate produced; more returned than produced; an efficiency
/// outside (0, 1]; temperatures outside the liquid range.
pub fn condensate_recovery(input: &CondensateRecoveryInput) -> Result<CondensateRecovery> {
    let produced = positive(
        "condensate produced [kg/s]",
        input.condensate_produced.kg_per_s(),
    )?;
    let returned = non_negative(
        "condensate returned [kg/s]",
        input.condensate_returned.kg_per_s(),
    )?;
    if returned > produced * (1.0 + 1e-9) {
        return Err(CalcError::Inconsistent(format!(
            "more condensate returned ({returned} kg/s) than produced ({produced} kg/s)"
        )));
    }
    let efficiency = positive_fraction("boiler efficiency", input.boiler_efficiency)?;
    let fuel_price = non_negative("fuel price per GJ", input.fuel_price_per_gj)?;
    let water_price = non_negative("water price per tonne", input.water_price_per_tonne)?;
    let treatment_price =
        non_negative("treatment price per tonne", input.treatment_price_per_tonne)?;
    let hours = non_negative(
        "operating time per year [h]",
        input.operating_time_per_year.h(),
    )?;
    let h_return = liquid_enthalpy("return temperature [K]", input.return_temperature)?;
    let h_makeup = liquid_enthalpy("make-up temperature [K]", input.makeup_temperature)?;
    let dh = (h_return - h_makeup).j_per_kg();
    let heat_w = returned * dh;
    let fuel_w = heat_w / efficiency;
    // Fuel GJ per tonne returned: 1000 kg × Δh / η.
    let fuel_value_per_tonne = 1000.0 * dh / efficiency / 1e9 * fuel_price;
    let value_per_tonne = fuel_value_per_tonne + water_price + treatment_price;
    let tonnes = returned * hours * 3600.0 / 1000.0;
    let unrecovered = (produced - returned).max(0.0);
    let unrecovered_tonnes = unrecovered * hours * 3600.0 / 1000.0;
    let total = finite("saving per year", tonnes * value_per_tonne)?;
    Ok(CondensateRecovery {
        recovery_rate: (returned / produced).min(1.0),
        unrecovered: MassFlow::from_kg_per_s(unrecovered),
        heat_recovered: Power::from_w(heat_w),
        fuel_saved: Power::from_w(fuel_w),
        value_per_tonne,
        tonnes_returned_per_year: tonnes,
        fuel_saving_per_year: tonnes * fuel_value_per_tonne,
        water_saving_per_year: tonnes * water_price,
        treatment_saving_per_year: tonnes * treatment_price,
        total_saving_per_year: total,
        unrecovered_value_per_year: finite(
            "unrecovered value per year",
            unrecovered_tonnes * value_per_tonne,
        )?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn example() -> CondensateRecoveryInput {
        CondensateRecoveryInput {
            condensate_produced: MassFlow::from_t_per_h(10.0),
            condensate_returned: MassFlow::from_t_per_h(6.0),
            return_temperature: Temperature::from_celsius(90.0),
            makeup_temperature: Temperature::from_celsius(10.0),
            boiler_efficiency: 0.85,
            fuel_price_per_gj: 10.0,
            water_price_per_tonne: 2.0,
            treatment_price_per_tonne: 0.5,
            operating_time_per_year: Duration::from_h(8000.0),
        }
    }

    /// A hand check with steam-table liquid enthalpies, h(90 °C) = 377.0
    /// and h(10 °C) = 42.0 kJ/kg: Δh = 335.0 kJ/kg, so a tonne returned
    /// saves 0.335/0.85 = 0.394 GJ of fuel (3.94) plus 2.0 + 0.5 of water
    /// and treatment: 6.44 a tonne; 6 t/h × 8000 h = 48 000 t, 309 k a year.
    #[test]
    fn hand_check() {
        let r = condensate_recovery(&example()).unwrap();
        assert!((r.recovery_rate - 0.6).abs() < 1e-12);
        assert!((r.unrecovered.t_per_h() - 4.0).abs() < 1e-9);
        assert!(
            (r.heat_recovered.kw() - 6000.0 / 3600.0 * 335.0).abs() < 1.0,
            "{r:?}"
        );
        assert!((r.value_per_tonne - 6.44).abs() < 0.01, "{r:?}");
        assert!((r.tonnes_returned_per_year - 48_000.0).abs() < 1e-6);
        assert!((r.total_saving_per_year - 48_000.0 * r.value_per_tonne).abs() < 1e-6);
        let parts = r.fuel_saving_per_year + r.water_saving_per_year + r.treatment_saving_per_year;
        assert!((parts - r.total_saving_per_year).abs() < 1e-6);
        assert!((r.unrecovered_value_per_year - 32_000.0 * r.value_per_tonne).abs() < 1e-6);
        // The seed's m cp ΔT with cp = 4.19 kJ/(kg K) agrees within 0.5 %.
        let seed = 6000.0 / 3600.0 * 4.19 * 80.0;
        assert!((r.heat_recovered.kw() - seed).abs() / seed < 0.005);
    }

    #[test]
    fn errors() {
        let good = example();
        for bad in [
            CondensateRecoveryInput {
                condensate_produced: MassFlow::from_kg_per_s(0.0),
                ..good
            },
            CondensateRecoveryInput {
                condensate_returned: MassFlow::from_t_per_h(11.0),
                ..good
            },
            CondensateRecoveryInput {
                condensate_returned: MassFlow::from_kg_per_s(-1.0),
                ..good
            },
            CondensateRecoveryInput {
                boiler_efficiency: 0.0,
                ..good
            },
            CondensateRecoveryInput {
                fuel_price_per_gj: f64::NAN,
                ..good
            },
            CondensateRecoveryInput {
                return_temperature: Temperature::from_celsius(500.0),
                ..good
            },
            CondensateRecoveryInput {
                makeup_temperature: Temperature::from_kelvin(-1.0),
                ..good
            },
        ] {
            assert!(condensate_recovery(&bad).is_err(), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn never_panics(v in prop::array::uniform9(any::<f64>())) {
            let input = CondensateRecoveryInput {
                condensate_produced: MassFlow::from_kg_per_s(v[0]),
                condensate_returned: MassFlow::from_kg_per_s(v[1]),
                return_temperature: Temperature::from_kelvin(v[2]),
                makeup_temperature: Temperature::from_kelvin(v[3]),
                boiler_efficiency: v[4],
                fuel_price_per_gj: v[5],
                water_price_per_tonne: v[6],
                treatment_price_per_tonne: v[7],
                operating_time_per_year: Duration::from_h(v[8]),
            };
            if let Ok(r) = condensate_recovery(&input) {
                prop_assert!((0.0..=1.0).contains(&r.recovery_rate));
            }
        }
    }
}
