//! The cost of a tonne of steam, with its breakdown.

use crate::analysis::error::{CalcError, Result, fraction, non_negative, positive_fraction};
use crate::units::{Energy, SpecificEnthalpy};

/// CO₂ emitted per GJ of natural gas burnt (net calorific basis): the
/// default factor of the 2006 IPCC Guidelines for National Greenhouse Gas
/// Inventories, vol. 2, ch. 2, table 2.2 (56 100 kg/TJ).
pub const CO2_NATURAL_GAS_KG_PER_GJ: f64 = 56.1;
/// CO₂ per GJ of residual fuel oil, same source (77 400 kg/TJ).
pub const CO2_RESIDUAL_FUEL_OIL_KG_PER_GJ: f64 = 77.4;
/// CO₂ per GJ of other bituminous coal, same source (94 600 kg/TJ).
pub const CO2_BITUMINOUS_COAL_KG_PER_GJ: f64 = 94.6;

/// What goes into the cost of steam. Money is in the plant's currency.
///
/// The fuel price, the boiler efficiency and the CO₂ factor must share one
/// calorific basis (all net/LHV or all gross/HHV); the IPCC factors above
/// are on the net basis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SteamCostInput {
    /// Fuel price per GJ of fuel energy (divide a price per MWh by 3.6).
    pub fuel_price_per_gj: f64,
    /// Boiler (fuel-to-steam) efficiency, 0 < η ≤ 1.
    pub boiler_efficiency: f64,
    /// Specific enthalpy of the steam leaving the boiler.
    pub steam_enthalpy: SpecificEnthalpy,
    /// Specific enthalpy of the feedwater entering it.
    pub feedwater_enthalpy: SpecificEnthalpy,
    /// Fraction of the feedwater that is make-up (not returned condensate), 0…1.
    pub makeup_fraction: f64,
    /// Price of make-up water per tonne (≈ per m³), including its sewer charge if any.
    pub water_price_per_tonne: f64,
    /// Chemical treatment cost per tonne of make-up water.
    pub treatment_price_per_tonne: f64,
    /// CO₂ emitted per GJ of fuel [kg/GJ] (0 to leave carbon out).
    pub co2_kg_per_gj_fuel: f64,
    /// Carbon price per tonne of CO₂.
    pub carbon_price_per_tonne_co2: f64,
    /// Any other cost per tonne of steam (power for fans and pumps, labour…).
    pub other_cost_per_tonne: f64,
}

impl SteamCostInput {
    /// Fuel and enthalpies only; no water, treatment, carbon or other cost.
    pub fn fuel_only(
        fuel_price_per_gj: f64,
        boiler_efficiency: f64,
        steam_enthalpy: SpecificEnthalpy,
        feedwater_enthalpy: SpecificEnthalpy,
    ) -> Self {
        SteamCostInput {
            fuel_price_per_gj,
            boiler_efficiency,
            steam_enthalpy,
            feedwater_enthalpy,
            makeup_fraction: 0.0,
            water_price_per_tonne: 0.0,
            treatment_price_per_tonne: 0.0,
            co2_kg_per_gj_fuel: 0.0,
            carbon_price_per_tonne_co2: 0.0,
            other_cost_per_tonne: 0.0,
        }
    }
}

/// The cost of one tonne of steam and where it comes from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SteamCost {
    /// Fuel energy burnt per tonne of steam.
    pub fuel_energy_per_tonne: Energy,
    /// CO₂ emitted per tonne of steam, in kg.
    pub co2_kg_per_tonne: f64,
    /// Fuel cost per tonne of steam.
    pub fuel: f64,
    /// Make-up water cost per tonne of steam.
    pub water: f64,
    /// Water treatment cost per tonne of steam.
    pub treatment: f64,
    /// Carbon cost per tonne of steam.
    pub carbon: f64,
    /// Other costs per tonne of steam.
    pub other: f64,
    /// The sum: the cost of one tonne of steam.
    pub total_per_tonne: f64,
}

/// Cost of a tonne of steam:
///
/// - fuel energy per tonne E = 1000 kg × (h_steam − h_feedwater) / η_boiler,
/// - fuel = E × fuel price, carbon = E × CO₂ factor × carbon price,
/// - water = make-up fraction × water price, treatment = make-up fraction ×
///   treatment price (one tonne of feedwater per tonne of steam; blowdown
///   is left to the efficiency and the make-up fraction),
///
/// plus any other cost per tonne. This corrects the seed design's
/// `(E_loss / η_boiler) × Fuel_rate + Water_rate + Treatment_rate`, which
/// adds the water and treatment rates whole instead of per tonne of make-up.
///
/// Errors: any input NaN or infinite, a price or factor negative, an
/// efficiency outside (0, 1], a make-up fraction outside [0, 1], or steam
/// enthalpy not above the feedwater's.
pub fn steam_cost(input: &SteamCostInput) -> Result<SteamCost> {
    let fuel_price = non_negative("fuel price per GJ", input.fuel_price_per_gj)?;
    let efficiency = positive_fraction("boiler efficiency", input.boiler_efficiency)?;
    let makeup = fraction("make-up fraction", input.makeup_fraction)?;
    let water_price = non_negative("water price per tonne", input.water_price_per_tonne)?;
    let treatment_price =
        non_negative("treatment price per tonne", input.treatment_price_per_tonne)?;
    let co2_factor = non_negative("CO2 factor [kg/GJ]", input.co2_kg_per_gj_fuel)?;
    let carbon_price = non_negative(
        "carbon price per tonne CO2",
        input.carbon_price_per_tonne_co2,
    )?;
    let other = non_negative("other cost per tonne", input.other_cost_per_tonne)?;
    let h_steam =
        crate::analysis::error::finite("steam enthalpy [J/kg]", input.steam_enthalpy.j_per_kg())?;
    let h_fw = crate::analysis::error::finite(
        "feedwater enthalpy [J/kg]",
        input.feedwater_enthalpy.j_per_kg(),
    )?;
    if h_steam <= h_fw {
        return Err(CalcError::Inconsistent(format!(
            "steam enthalpy ({:.1} kJ/kg) must be above the feedwater's ({:.1} kJ/kg)",
            h_steam / 1e3,
            h_fw / 1e3
        )));
    }
    let fuel_gj = 1000.0 * (h_steam - h_fw) / efficiency / 1e9;
    let co2_kg = fuel_gj * co2_factor;
    let fuel = fuel_gj * fuel_price;
    let water = makeup * water_price;
    let treatment = makeup * treatment_price;
    let carbon = co2_kg / 1000.0 * carbon_price;
    let total = crate::analysis::error::finite(
        "steam cost (overflow)",
        fuel + water + treatment + carbon + other,
    )?;
    Ok(SteamCost {
        fuel_energy_per_tonne: Energy::from_gj(fuel_gj),
        co2_kg_per_tonne: co2_kg,
        fuel,
        water,
        treatment,
        carbon,
        other,
        total_per_tonne: total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn kj(v: f64) -> SpecificEnthalpy {
        SpecificEnthalpy::from_kj_per_kg(v)
    }

    /// A hand check: 10 bar g saturated steam (h = 2781 kJ/kg) from 105 °C
    /// feedwater (h = 440 kJ/kg) at 85 % efficiency needs
    /// 2341 MJ/t / 0.85 = 2.754 GJ of fuel per tonne; at 10 per GJ that is
    /// 27.54 per tonne.
    #[test]
    fn fuel_cost_per_tonne() {
        let cost = steam_cost(&SteamCostInput::fuel_only(
            10.0,
            0.85,
            kj(2781.0),
            kj(440.0),
        ))
        .unwrap();
        assert!((cost.fuel_energy_per_tonne.gj() - 2.341 / 0.85).abs() < 1e-12);
        assert!((cost.total_per_tonne - 27.541_176).abs() < 1e-5);
        assert_eq!(cost.water, 0.0);
    }

    #[test]
    fn full_breakdown_adds_up() {
        let input = SteamCostInput {
            makeup_fraction: 0.3,
            water_price_per_tonne: 2.0,
            treatment_price_per_tonne: 0.5,
            co2_kg_per_gj_fuel: CO2_NATURAL_GAS_KG_PER_GJ,
            carbon_price_per_tonne_co2: 80.0,
            other_cost_per_tonne: 1.0,
            ..SteamCostInput::fuel_only(10.0, 0.85, kj(2781.0), kj(440.0))
        };
        let cost = steam_cost(&input).unwrap();
        assert!((cost.water - 0.6).abs() < 1e-12);
        assert!((cost.treatment - 0.15).abs() < 1e-12);
        let co2 = 2.341 / 0.85 * 56.1;
        assert!((cost.co2_kg_per_tonne - co2).abs() < 1e-9);
        assert!((cost.carbon - co2 / 1000.0 * 80.0).abs() < 1e-9);
        let sum = cost.fuel + cost.water + cost.treatment + cost.carbon + cost.other;
        assert!((cost.total_per_tonne - sum).abs() < 1e-12);
    }

    #[test]
    fn errors() {
        let good = SteamCostInput::fuel_only(10.0, 0.85, kj(2781.0), kj(440.0));
        for bad in [
            SteamCostInput {
                boiler_efficiency: 0.0,
                ..good
            },
            SteamCostInput {
                boiler_efficiency: 1.2,
                ..good
            },
            SteamCostInput {
                fuel_price_per_gj: -1.0,
                ..good
            },
            SteamCostInput {
                fuel_price_per_gj: f64::NAN,
                ..good
            },
            SteamCostInput {
                makeup_fraction: 1.5,
                ..good
            },
            SteamCostInput {
                feedwater_enthalpy: kj(3000.0),
                ..good
            },
            SteamCostInput {
                steam_enthalpy: kj(f64::INFINITY),
                ..good
            },
        ] {
            assert!(steam_cost(&bad).is_err(), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn never_panics(values in prop::array::uniform12(any::<f64>())) {
            let [a, b, c, d, e, f, g, h, i, j, _, _] = values;
            let input = SteamCostInput {
                fuel_price_per_gj: a,
                boiler_efficiency: b,
                steam_enthalpy: kj(c),
                feedwater_enthalpy: kj(d),
                makeup_fraction: e,
                water_price_per_tonne: f,
                treatment_price_per_tonne: g,
                co2_kg_per_gj_fuel: h,
                carbon_price_per_tonne_co2: i,
                other_cost_per_tonne: j,
            };
            if let Ok(cost) = steam_cost(&input) {
                prop_assert!(cost.total_per_tonne.is_finite() && cost.total_per_tonne >= 0.0);
            }
        }
    }
}
