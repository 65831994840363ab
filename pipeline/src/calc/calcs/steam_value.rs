//! `steam_cost` and `condensate_recovery`: what steam costs, and what returned condensate saves.

use steamflow_operators::analysis::condensate::{CondensateRecoveryInput, condensate_recovery};
use steamflow_operators::economics::{SteamCostInput, steam_cost};
use steamflow_operators::if97::{self, Saturation};
use steamflow_operators::units::{Duration, Pressure, Temperature};

use crate::calc::spec::{CalcSpec, number, output, quantity};
use crate::calc::{CalcError, Calculator, Inputs, Outputs};

const COST_SPEC: CalcSpec = CalcSpec {
    name: "steam_cost",
    about: "Cost of a tonne of steam: fuel, make-up water, treatment and carbon",
    long_about: "Fuel per tonne = (h_steam − h_feedwater) / η_boiler; cost = fuel × fuel price + \
        make-up fraction × (water + treatment price) + CO2 × carbon price. Enthalpies from \
        IAPWS-IF97: steam saturated at p_steam unless t_steam is given, feedwater compressed \
        liquid at t_feedwater. Fuel price, efficiency and CO2 factor must share one calorific \
        basis (all net or all gross).",
    inputs: &[
        number("fuel_price_per_gj", "fuel price per GJ of fuel energy"),
        number(
            "boiler_efficiency",
            "fuel-to-steam efficiency, 0..1, e.g. 0.85",
        ),
        quantity(
            "p_steam",
            "pressure",
            "boiler steam pressure, e.g. \"10 barg\"",
        ),
        quantity("t_steam", "temperature", "steam temperature if superheated").optional(),
        quantity(
            "t_feedwater",
            "temperature",
            "feedwater temperature, e.g. \"105 °C\"",
        ),
        number(
            "makeup_fraction",
            "fraction of feedwater that is make-up, 0..1 (default 0)",
        )
        .optional(),
        number(
            "water_price_per_t",
            "make-up water price per tonne (default 0)",
        )
        .optional(),
        number(
            "treatment_price_per_t",
            "treatment cost per tonne of make-up (default 0)",
        )
        .optional(),
        number(
            "co2_kg_per_gj",
            "CO2 emitted per GJ of fuel, e.g. 56.1 for natural gas (default 0)",
        )
        .optional(),
        number("carbon_price_per_t", "price per tonne of CO2 (default 0)").optional(),
    ],
    outputs: &[
        output("cost_per_t", "cost of a tonne of steam", ""),
        output("fuel_cost_per_t", "fuel", ""),
        output("water_cost_per_t", "make-up water", ""),
        output("treatment_cost_per_t", "treatment", ""),
        output("carbon_cost_per_t", "carbon", ""),
        output("fuel_gj_per_t", "fuel energy per tonne", "GJ"),
        output("co2_kg_per_t", "CO2 per tonne", "kg"),
    ],
};

const CONDENSATE_SPEC: CalcSpec = CalcSpec {
    name: "condensate_recovery",
    about: "Recovery rate and yearly value of returned condensate",
    long_about: "Heat recovered = m_returned (h_return − h_makeup) with IF97 liquid enthalpies; \
        fuel saved = heat / η_boiler; value = fuel + make-up water + treatment saved.",
    inputs: &[
        quantity(
            "produced",
            "mass flow",
            "condensate produced, e.g. \"10 t/h\"",
        ),
        quantity(
            "returned",
            "mass flow",
            "condensate returned, e.g. \"6 t/h\"",
        ),
        quantity(
            "t_return",
            "temperature",
            "temperature of the returned condensate, e.g. \"90 °C\"",
        ),
        quantity(
            "t_makeup",
            "temperature",
            "make-up water temperature (default 15 °C)",
        )
        .optional(),
        number("boiler_efficiency", "fuel-to-steam efficiency, 0..1"),
        number("fuel_price_per_gj", "fuel price per GJ of fuel energy"),
        number(
            "water_price_per_t",
            "make-up water price per tonne (default 0)",
        )
        .optional(),
        number(
            "treatment_price_per_t",
            "treatment cost per tonne of make-up (default 0)",
        )
        .optional(),
        quantity(
            "hours_per_year",
            "duration",
            "operating time per year (default 8760 h)",
        )
        .optional(),
    ],
    outputs: &[
        output("recovery_rate", "recovery rate", ""),
        output("heat_recovered_kw", "heat recovered", "kW"),
        output("saving_per_year", "saving per year", ""),
        output(
            "unrecovered_value_per_year",
            "value still lost per year",
            "",
        ),
    ],
};

pub const COST: Calculator = Calculator {
    spec: &COST_SPEC,
    run: run_cost,
};
pub const CONDENSATE: Calculator = Calculator {
    spec: &CONDENSATE_SPEC,
    run: run_condensate,
};

fn run_cost(inputs: &Inputs) -> Result<Outputs, CalcError> {
    let p: Pressure = inputs.required_quantity("p_steam")?;
    let steam = match inputs.quantity::<Temperature>("t_steam")? {
        Some(t) => if97::state_pt(p, t)?.h,
        None => Saturation::at_pressure(p)?.vapour.h,
    };
    let feedwater = if97::state_pt(p, inputs.required_quantity("t_feedwater")?)?.h;
    let mut input = SteamCostInput::fuel_only(
        inputs.required_number("fuel_price_per_gj")?,
        inputs.required_number("boiler_efficiency")?,
        steam,
        feedwater,
    );
    input.makeup_fraction = inputs.number("makeup_fraction")?.unwrap_or(0.0);
    input.water_price_per_tonne = inputs.number("water_price_per_t")?.unwrap_or(0.0);
    input.treatment_price_per_tonne = inputs.number("treatment_price_per_t")?.unwrap_or(0.0);
    input.co2_kg_per_gj_fuel = inputs.number("co2_kg_per_gj")?.unwrap_or(0.0);
    input.carbon_price_per_tonne_co2 = inputs.number("carbon_price_per_t")?.unwrap_or(0.0);
    let cost = steam_cost(&input)?;
    Ok(Outputs::new()
        .number("cost_per_t", cost.total_per_tonne)
        .number("fuel_cost_per_t", cost.fuel)
        .number("water_cost_per_t", cost.water)
        .number("treatment_cost_per_t", cost.treatment)
        .number("carbon_cost_per_t", cost.carbon)
        .number("fuel_gj_per_t", cost.fuel_energy_per_tonne.gj())
        .number("co2_kg_per_t", cost.co2_kg_per_tonne))
}

fn run_condensate(inputs: &Inputs) -> Result<Outputs, CalcError> {
    let recovery = condensate_recovery(&CondensateRecoveryInput {
        condensate_produced: inputs.required_quantity("produced")?,
        condensate_returned: inputs.required_quantity("returned")?,
        return_temperature: inputs.required_quantity("t_return")?,
        makeup_temperature: inputs
            .quantity("t_makeup")?
            .unwrap_or(Temperature::from_celsius(15.0)),
        boiler_efficiency: inputs.required_number("boiler_efficiency")?,
        fuel_price_per_gj: inputs.required_number("fuel_price_per_gj")?,
        water_price_per_tonne: inputs.number("water_price_per_t")?.unwrap_or(0.0),
        treatment_price_per_tonne: inputs.number("treatment_price_per_t")?.unwrap_or(0.0),
        operating_time_per_year: inputs
            .quantity("hours_per_year")?
            .unwrap_or(Duration::from_h(8760.0)),
    })?;
    Ok(Outputs::new()
        .number("recovery_rate", recovery.recovery_rate)
        .number("heat_recovered_kw", recovery.heat_recovered.kw())
        .number("saving_per_year", recovery.total_saving_per_year)
        .number(
            "unrecovered_value_per_year",
            recovery.unrecovered_value_per_year,
        ))
}
