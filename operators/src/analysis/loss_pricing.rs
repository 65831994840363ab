//! The prices and the reference that turn a loss into energy and money, one
//! convention for traps, leaks and the plant balance.
//!
//! Steam that leaves the cycle (a failed trap, a leak, vented flash) must be
//! raised again from make-up water, so its energy is m (h − h_makeup) and
//! its money is tonnes × the full steam cost per tonne — the basis of
//! [`super::trap_loss`] and of [`crate::economics::steam_cost()`]. Heat that
//! leaves without mass (a pipe's heat loss) is priced at the same steam's
//! price per unit energy, steam cost / (h_steam − h_makeup), so that a kW
//! costs the same whichever way it is lost.

use super::error::{CalcError, Result, finite, non_negative, positive};
use crate::if97::h_pt;
use crate::plant::Economics;
use crate::units::{
    Duration, Energy, MassFlow, Power, Pressure, STANDARD_ATMOSPHERE_PA, SpecificEnthalpy,
    Temperature,
};

use super::leak::DEFAULT_DISCHARGE_COEFFICIENT;

/// Hours in a leap year, the most a year can be under steam.
pub const MAX_HOURS_PER_YEAR: f64 = 8784.0;

/// How losses are valued at one plant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LossPricing {
    /// Full cost of one tonne of steam (plant currency).
    pub steam_cost_per_tonne: f64,
    /// Make-up water and its treatment per tonne, for condensate not returned.
    pub water_cost_per_tonne: f64,
    /// Hours a year the system is under steam.
    pub operating_time_per_year: Duration,
    /// Make-up water temperature: the reference of every energy lost with mass.
    pub makeup_temperature: Temperature,
    /// Discharge coefficient of failed-trap and leak orifices.
    pub discharge_coefficient: f64,
}

impl Default for LossPricing {
    /// No prices (money 0), 8760 h a year, make-up water at 15 °C, C_d 0.7.
    fn default() -> Self {
        LossPricing {
            steam_cost_per_tonne: 0.0,
            water_cost_per_tonne: 0.0,
            operating_time_per_year: Duration::from_h(8760.0),
            makeup_temperature: Temperature::from_celsius(15.0),
            discharge_coefficient: DEFAULT_DISCHARGE_COEFFICIENT,
        }
    }
}

impl LossPricing {
    /// The plant's prices, where it states them (a cubic metre of make-up
    /// water is taken as a tonne; water and its treatment together); the
    /// defaults elsewhere. A steam cost not stated is 0 here:
    /// [`LossPricing::for_plant`] computes it from the fuel price.
    pub fn from_economics(economics: Option<&Economics>) -> Self {
        let base = LossPricing::default();
        match economics {
            None => base,
            Some(e) => LossPricing {
                steam_cost_per_tonne: e.steam_cost_per_t.unwrap_or(0.0),
                water_cost_per_tonne: e.water_cost_per_m3.unwrap_or(0.0)
                    + e.treatment_cost_per_m3.unwrap_or(0.0),
                operating_time_per_year: Duration::from_h(e.operating_hours_per_year),
                ..base
            },
        }
    }

    /// The plant's prices with its steam cost stated or computed
    /// ([`crate::economics::plant_steam_cost`]).
    ///
    /// Errors: the steam cost cannot be computed (see there).
    pub fn for_plant(plant: &crate::plant::Plant) -> Result<Self> {
        let cost = crate::economics::plant_steam_cost(plant)?;
        Ok(LossPricing {
            steam_cost_per_tonne: cost.per_tonne(),
            ..LossPricing::from_economics(plant.economics.as_ref())
        })
    }

    /// Checks every field: finite, prices ≥ 0, 0 ≤ hours ≤ 8784,
    /// 0 < C_d ≤ 1, make-up water liquid at 1 atm.
    pub fn check(&self) -> Result<()> {
        non_negative("steam cost per tonne", self.steam_cost_per_tonne)?;
        non_negative("water cost per tonne", self.water_cost_per_tonne)?;
        self.hours()?;
        super::error::positive_fraction("discharge coefficient", self.discharge_coefficient)?;
        self.makeup_enthalpy()?;
        Ok(())
    }

    /// Operating hours per year, checked.
    pub fn hours(&self) -> Result<f64> {
        let hours = non_negative(
            "operating time per year [h]",
            self.operating_time_per_year.h(),
        )?;
        if hours > MAX_HOURS_PER_YEAR {
            return Err(CalcError::OutOfRange {
                name: "operating time per year [h]",
                value: hours,
                expected: "at most 8784 h (a leap year)",
            });
        }
        Ok(hours)
    }

    /// Enthalpy of the make-up water at 1 atm (IF97 region 1).
    pub fn makeup_enthalpy(&self) -> Result<SpecificEnthalpy> {
        let t = finite(
            "make-up water temperature [K]",
            self.makeup_temperature.kelvin(),
        )?;
        if !(273.15..=373.0).contains(&t) {
            return Err(CalcError::OutOfRange {
                name: "make-up water temperature [K]",
                value: t,
                expected: "liquid at atmospheric pressure, 0 °C to 99.8 °C",
            });
        }
        Ok(h_pt(
            Pressure::from_pa(STANDARD_ATMOSPHERE_PA),
            self.makeup_temperature,
        )?)
    }

    /// Tonnes a year of a steady mass flow.
    pub fn tonnes_per_year(&self, m: MassFlow) -> Result<f64> {
        finite("tonnes per year", m.kg_per_s() * self.hours()? * 3.6)
    }

    /// Energy a year of a steady power.
    pub fn energy_per_year(&self, p: Power) -> Result<Energy> {
        Ok(Energy::from_j(finite(
            "energy per year [J]",
            p.w() * self.hours()? * 3600.0,
        )?))
    }

    /// Money a year of steam lost at a steady rate: tonnes × steam cost.
    pub fn steam_cost_per_year(&self, m: MassFlow) -> Result<f64> {
        let cost = non_negative("steam cost per tonne", self.steam_cost_per_tonne)?;
        finite("steam cost per year", self.tonnes_per_year(m)? * cost)
    }

    /// Money a year of water lost at a steady rate: tonnes × water cost.
    pub fn water_cost_per_year(&self, m: MassFlow) -> Result<f64> {
        let cost = non_negative("water cost per tonne", self.water_cost_per_tonne)?;
        finite("water cost per year", self.tonnes_per_year(m)? * cost)
    }

    /// Price of a joule of steam energy: steam cost per kg / (h_steam − h_makeup).
    pub fn energy_price_per_j(&self, steam_enthalpy: SpecificEnthalpy) -> Result<f64> {
        let cost = non_negative("steam cost per tonne", self.steam_cost_per_tonne)?;
        let dh = positive(
            "steam enthalpy above make-up water [J/kg]",
            steam_enthalpy.j_per_kg() - self.makeup_enthalpy()?.j_per_kg(),
        )?;
        Ok(cost / 1000.0 / dh)
    }

    /// Money a year of heat lost at a steady rate, at the steam's energy price.
    pub fn heat_cost_per_year(&self, p: Power, steam_enthalpy: SpecificEnthalpy) -> Result<f64> {
        finite(
            "heat cost per year",
            self.energy_per_year(p)?.j() * self.energy_price_per_j(steam_enthalpy)?,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_follow_the_convention() {
        let pricing = LossPricing {
            steam_cost_per_tonne: 30.0,
            operating_time_per_year: Duration::from_h(8000.0),
            ..LossPricing::default()
        };
        // 100 kg/h for 8000 h: 800 t, 24 000 a year.
        let m = MassFlow::from_kg_per_h(100.0);
        assert!((pricing.tonnes_per_year(m).unwrap_or(0.0) - 800.0).abs() < 1e-9);
        assert!((pricing.steam_cost_per_year(m).unwrap_or(0.0) - 24_000.0).abs() < 1e-6);
        // The heat of that steam above make-up water costs the same money.
        let h = SpecificEnthalpy::from_kj_per_kg(2781.0);
        let dh = h.j_per_kg() - pricing.makeup_enthalpy().unwrap_or_default().j_per_kg();
        let power = Power::from_w(m.kg_per_s() * dh);
        let heat_cost = pricing.heat_cost_per_year(power, h).unwrap_or(0.0);
        assert!((heat_cost - 24_000.0).abs() < 1e-6, "{heat_cost}");
    }

    #[test]
    fn economics_map_onto_pricing() {
        let e = Economics {
            currency: "EUR".into(),
            steam_cost_per_t: Some(25.0),
            water_cost_per_m3: Some(2.0),
            operating_hours_per_year: 6000.0,
            ..Economics::default()
        };
        let p = LossPricing::from_economics(Some(&e));
        assert_eq!(p.steam_cost_per_tonne, 25.0);
        assert_eq!(p.water_cost_per_tonne, 2.0);
        assert!((p.operating_time_per_year.h() - 6000.0).abs() < 1e-9);
        assert!(p.check().is_ok());
        assert_eq!(LossPricing::from_economics(None), LossPricing::default());
    }

    #[test]
    fn bad_prices_are_errors() {
        let good = LossPricing::default();
        for bad in [
            LossPricing {
                steam_cost_per_tonne: -1.0,
                ..good
            },
            LossPricing {
                operating_time_per_year: Duration::from_h(9000.0),
                ..good
            },
            LossPricing {
                discharge_coefficient: 0.0,
                ..good
            },
            LossPricing {
                makeup_temperature: Temperature::from_celsius(f64::NAN),
                ..good
            },
        ] {
            assert!(bad.check().is_err(), "{bad:?}");
        }
    }
}
