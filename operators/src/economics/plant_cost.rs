//! The cost of a tonne of steam at one plant, from its `economics` section
//! and its boilers.
//!
//! A stated `steam_cost_per_t` (from the plant's accounts) wins. Otherwise
//! each boiler's cost per tonne is [`steam_cost()`] with the steam it
//! raises (saturated at its header's operating pressure, or superheated to
//! its steam temperature) from its feedwater, and the plant's cost is the
//! capacity-weighted mean over the boilers — the "fuel cost of steam
//! generation" of the US DOE Steam Tip Sheet #15, plus make-up water, its
//! treatment and carbon.

use super::steam_cost::{SteamCost, SteamCostInput, steam_cost};
use crate::analysis::error::{CalcError, Result};
use crate::if97::{h_pt, state_px};
use crate::plant::{Economics, Plant};
use crate::units::{Pressure, Temperature};

/// Where a plant's steam cost comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum PlantSteamCost {
    /// `steam_cost_per_t`, as stated.
    Stated(f64),
    /// Computed from fuel, water, treatment and carbon prices.
    Computed(SteamCost),
    /// No economics, or no fuel price: steam is priced at 0.
    Unpriced,
}

impl PlantSteamCost {
    /// Money per tonne of steam.
    pub fn per_tonne(&self) -> f64 {
        match self {
            PlantSteamCost::Stated(cost) => *cost,
            PlantSteamCost::Computed(cost) => cost.total_per_tonne,
            PlantSteamCost::Unpriced => 0.0,
        }
    }
}

/// The cost of a tonne of steam at `plant`.
///
/// Errors: prices outside their ranges, no boiler to compute from when a
/// fuel price asks for it, or a boiler whose steam is not above its
/// feedwater's enthalpy.
pub fn plant_steam_cost(plant: &Plant) -> Result<PlantSteamCost> {
    let Some(economics) = plant.economics.as_ref() else {
        return Ok(PlantSteamCost::Unpriced);
    };
    if let Some(stated) = economics.steam_cost_per_t {
        return Ok(PlantSteamCost::Stated(stated));
    }
    let Some(fuel_price) = economics.fuel_cost_per_gj else {
        return Ok(PlantSteamCost::Unpriced);
    };
    let mut weighted: Option<(f64, SteamCost)> = None;
    for boiler in &plant.boilers {
        let header_pressure = plant
            .headers
            .iter()
            .find(|h| h.id == boiler.header)
            .map_or(boiler.design_pressure_barg, |h| h.operating_pressure_barg);
        let p = Pressure::from_barg(header_pressure);
        let steam = match boiler.steam_temperature_c {
            Some(t) => h_pt(p, Temperature::from_celsius(t))?,
            None => state_px(p, 1.0)?.h,
        };
        let feedwater = h_pt(p, Temperature::from_celsius(boiler.feedwater_temperature_c))?;
        let cost = steam_cost(&input(economics, fuel_price, steam, feedwater))?;
        let w = boiler.capacity_kg_h.max(0.0);
        weighted = Some(match weighted {
            None => (w, cost),
            Some((w0, c0)) => (w0 + w, blend(&c0, w0, &cost, w)),
        });
    }
    match weighted {
        Some((_, cost)) => Ok(PlantSteamCost::Computed(cost)),
        None => Err(CalcError::Inconsistent(
            "a fuel price without a stated steam cost needs at least one boiler to price steam from"
                .into(),
        )),
    }
}

/// The [`SteamCostInput`] of a plant's prices for one boiler's enthalpies.
fn input(
    e: &Economics,
    fuel_price: f64,
    steam: crate::units::SpecificEnthalpy,
    feedwater: crate::units::SpecificEnthalpy,
) -> SteamCostInput {
    SteamCostInput {
        fuel_price_per_gj: fuel_price,
        boiler_efficiency: e.boiler_efficiency_pct / 100.0,
        steam_enthalpy: steam,
        feedwater_enthalpy: feedwater,
        makeup_fraction: e.makeup_pct / 100.0,
        water_price_per_tonne: e.water_cost_per_m3.unwrap_or(0.0),
        treatment_price_per_tonne: e.treatment_cost_per_m3.unwrap_or(0.0),
        co2_kg_per_gj_fuel: e.co2_kg_per_gj_fuel,
        carbon_price_per_tonne_co2: e.carbon_price_per_t_co2,
        other_cost_per_tonne: 0.0,
    }
}

/// The weighted mean of two costs (weights `wa`, `wb`; equal when both 0).
fn blend(a: &SteamCost, wa: f64, b: &SteamCost, wb: f64) -> SteamCost {
    let total = wa + wb;
    let (fa, fb) = if total > 0.0 {
        (wa / total, wb / total)
    } else {
        (0.5, 0.5)
    };
    let mix = |x: f64, y: f64| fa * x + fb * y;
    SteamCost {
        fuel_energy_per_tonne: crate::units::Energy::from_j(mix(
            a.fuel_energy_per_tonne.j(),
            b.fuel_energy_per_tonne.j(),
        )),
        co2_kg_per_tonne: mix(a.co2_kg_per_tonne, b.co2_kg_per_tonne),
        fuel: mix(a.fuel, b.fuel),
        water: mix(a.water, b.water),
        treatment: mix(a.treatment, b.treatment),
        carbon: mix(a.carbon, b.carbon),
        other: mix(a.other, b.other),
        total_per_tonne: mix(a.total_per_tonne, b.total_per_tonne),
    }
}

/// Tonnes of CO2 a year from burning fuel for `power_kw` of steam energy
/// for `hours` a year at `economics`' boiler efficiency and emission factor.
pub fn co2_tonnes_per_year(economics: &Economics, power_kw: f64, hours: f64) -> f64 {
    let efficiency = (economics.boiler_efficiency_pct / 100.0).clamp(0.01, 1.0);
    let fuel_gj = power_kw * hours * 3.6e-3 / efficiency;
    fuel_gj * economics.co2_kg_per_gj_fuel / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plant::{Boiler, Header};
    use crate::units::{Energy, SpecificEnthalpy};

    fn plant(economics: Economics) -> Plant {
        Plant {
            economics: Some(economics),
            headers: vec![Header {
                id: "hp".into(),
                design_pressure_barg: 12.0,
                operating_pressure_barg: 150.0 * 0.068_947_57,
                design_temperature_c: None,
                pressure_tag: None,
                temperature_tag: None,
                flow_tag: None,
            }],
            boilers: vec![Boiler {
                id: "b1".into(),
                header: "hp".into(),
                capacity_kg_h: 10_000.0,
                design_pressure_barg: 12.0,
                steam_temperature_c: None,
                feedwater_temperature_c: Temperature::from_fahrenheit(250.0).celsius(),
                flow_tag: "b1.flow".into(),
                pressure_tag: None,
                temperature_tag: None,
                feedwater_temperature_tag: None,
            }],
            ..Plant::default()
        }
    }

    /// US DOE, Steam Tip Sheet #15, "Benchmark the fuel cost of steam
    /// generation", table 1: 977 Btu to raise a pound of saturated steam at
    /// 150 psig from 250 °F feedwater. With natural gas at 8 per MMBtu and
    /// the tip sheet's 85.7 % combustion efficiency (table 2), the fuel
    /// cost of 1000 lb is 977 × 1000 / 10⁶ × 8 / 0.857 = 9.12.
    #[test]
    fn doe_tip_sheet_15_benchmark() {
        let per_mmbtu = 8.0;
        let per_gj = per_mmbtu / Energy::from_mmbtu(1.0).gj();
        let cost = plant_steam_cost(&plant(Economics {
            fuel_cost_per_gj: Some(per_gj),
            boiler_efficiency_pct: 85.7,
            makeup_pct: 0.0,
            co2_kg_per_gj_fuel: 0.0,
            ..Economics::default()
        }))
        .unwrap();
        let PlantSteamCost::Computed(cost) = cost else {
            panic!("{cost:?}")
        };
        // Heat per pound from IF97 against the table's 977 Btu/lb.
        let btu_per_lb = cost.fuel_energy_per_tonne.j() * 0.857
            / 1000.0
            / SpecificEnthalpy::from_btu_per_lb(1.0).j_per_kg();
        assert!((btu_per_lb - 977.0).abs() < 1.5, "{btu_per_lb}");
        let per_1000_lb = cost.total_per_tonne * 0.453_592_37;
        assert!((per_1000_lb - 9.12).abs() < 0.02, "{per_1000_lb}");
    }

    /// Every part of the breakdown: 2 per m³ of water and 0.5 of treatment
    /// on 100 % make-up, and 80 per tonne of CO2 at 56.1 kg/GJ.
    #[test]
    fn water_treatment_and_carbon_are_added() {
        let base = Economics {
            fuel_cost_per_gj: Some(10.0),
            makeup_pct: 100.0,
            water_cost_per_m3: Some(2.0),
            treatment_cost_per_m3: Some(0.5),
            carbon_price_per_t_co2: 80.0,
            ..Economics::default()
        };
        let PlantSteamCost::Computed(cost) = plant_steam_cost(&plant(base.clone())).unwrap() else {
            panic!()
        };
        assert!((cost.water - 2.0).abs() < 1e-12);
        assert!((cost.treatment - 0.5).abs() < 1e-12);
        let gj = cost.fuel_energy_per_tonne.gj();
        assert!((cost.carbon - gj * 56.1 / 1000.0 * 80.0).abs() < 1e-9);
        assert!((cost.fuel - gj * 10.0).abs() < 1e-9);
        // A stated cost wins; none at all prices steam at 0.
        let stated = Economics {
            steam_cost_per_t: Some(35.0),
            ..base
        };
        assert_eq!(
            plant_steam_cost(&plant(stated)).unwrap(),
            PlantSteamCost::Stated(35.0)
        );
        assert_eq!(
            plant_steam_cost(&Plant::default()).unwrap(),
            PlantSteamCost::Unpriced
        );
    }

    #[test]
    fn co2_of_a_steady_loss() {
        // 100 kW for 8760 h at 85 %: 3153.6 GJ / 0.85 of gas = 208.1 t CO2.
        let e = Economics::default();
        let t = co2_tonnes_per_year(&e, 100.0, 8760.0);
        assert!((t - 3153.6 / 0.85 * 56.1 / 1000.0).abs() < 1e-9, "{t}");
    }
}
