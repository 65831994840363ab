//! `leak` and `trap_loss`: steam through an orifice, and what a failed trap costs.

use steamflow_operators::analysis::leak::{
    DEFAULT_DISCHARGE_COEFFICIENT, IsentropicExponent, OrificeLeak, SteamCondition, orifice_leak,
};
use steamflow_operators::analysis::trap_loss::{TrapFailure, TrapLossInput, trap_loss};
use steamflow_operators::units::{Duration, Pressure, STANDARD_ATMOSPHERE_PA, Temperature};

use crate::calc::spec::{CalcSpec, number, output, quantity};
use crate::calc::{CalcError, Calculator, Inputs, Outputs};

const LEAK_SPEC: CalcSpec = CalcSpec {
    name: "leak",
    about: "Steam leak through an orifice: compressible flow, choked or subsonic",
    long_about: "Isentropic compressible flow through an orifice with a discharge coefficient \
        (default 0.7): choked when p_down/p_up is below the critical ratio (2/(κ+1))^(κ/(κ−1)) \
        (≈0.577 saturated, ≈0.546 superheated), subsonic with the expansion formula otherwise, \
        continuous at the switch. Upstream state from IAPWS-IF97: dry saturated steam, or \
        superheated at t_up.",
    inputs: &[
        quantity(
            "p_up",
            "pressure",
            "pressure upstream of the hole, e.g. \"10 barg\"",
        ),
        quantity(
            "p_down",
            "pressure",
            "pressure downstream, e.g. \"0 barg\" for a leak to air",
        ),
        quantity("d", "length", "hole diameter, e.g. \"3 mm\""),
        number("cd", "discharge coefficient 0..1 (default 0.7)").optional(),
        quantity("t_up", "temperature", "upstream temperature if superheated").optional(),
    ],
    outputs: &[
        output("kg_h", "steam loss", "kg/h"),
        output("choked", "choked (sonic) flow", ""),
    ],
};

const TRAP_SPEC: CalcSpec = CalcSpec {
    name: "trap_loss",
    about: "Steam, energy and money lost by a trap failed open or leaking",
    long_about: "The trap's orifice passes live steam (all of it when blown through, \
        open_fraction of its area when leaking) by the `leak` model; the energy lost is the \
        steam's enthalpy above make-up water, and the money is tonnes per year times the \
        steam cost.",
    inputs: &[
        quantity(
            "p_up",
            "pressure",
            "steam pressure at the trap inlet, e.g. \"10 barg\"",
        ),
        quantity(
            "p_down",
            "pressure",
            "pressure after the trap (default atmosphere)",
        )
        .optional(),
        quantity("d", "length", "trap orifice (seat) diameter, e.g. \"6 mm\""),
        number(
            "open_fraction",
            "fraction of the orifice area passing steam (default 1: blown through)",
        )
        .optional(),
        number("cd", "discharge coefficient 0..1 (default 0.7)").optional(),
        number("steam_cost_per_t", "cost of a tonne of steam (default 0)").optional(),
        quantity(
            "hours_per_year",
            "duration",
            "time under steam per year (default 8760 h)",
        )
        .optional(),
        quantity(
            "t_makeup",
            "temperature",
            "make-up water temperature (default 15 °C)",
        )
        .optional(),
    ],
    outputs: &[
        output("kg_h", "steam loss", "kg/h"),
        output("kw", "energy loss", "kW"),
        output("t_per_year", "steam lost per year", "t"),
        output("cost_per_year", "cost per year", ""),
        output("choked", "choked (sonic) flow", ""),
    ],
};

pub const LEAK: Calculator = Calculator {
    spec: &LEAK_SPEC,
    run: run_leak,
};
pub const TRAP: Calculator = Calculator {
    spec: &TRAP_SPEC,
    run: run_trap,
};

fn run_leak(inputs: &Inputs) -> Result<Outputs, CalcError> {
    let condition = match inputs.quantity::<Temperature>("t_up")? {
        Some(t) => SteamCondition::Superheated(t),
        None => SteamCondition::DrySaturated,
    };
    let leak = orifice_leak(&OrificeLeak {
        upstream_pressure: inputs.required_quantity("p_up")?,
        condition,
        downstream_pressure: inputs.required_quantity("p_down")?,
        diameter: inputs.required_quantity("d")?,
        discharge_coefficient: inputs
            .number("cd")?
            .unwrap_or(DEFAULT_DISCHARGE_COEFFICIENT),
        exponent: IsentropicExponent::Auto,
    })?;
    Ok(Outputs::new()
        .number("kg_h", leak.mass_flow.kg_per_h())
        .boolean("choked", leak.choked))
}

fn run_trap(inputs: &Inputs) -> Result<Outputs, CalcError> {
    let mut input = TrapLossInput::blow_through(
        inputs.required_quantity("p_up")?,
        inputs.required_quantity("d")?,
    );
    input.downstream_pressure = inputs
        .quantity("p_down")?
        .unwrap_or(Pressure::from_pa(STANDARD_ATMOSPHERE_PA));
    if let Some(open_area_fraction) = inputs.number("open_fraction")? {
        input.failure = TrapFailure::Leaking { open_area_fraction };
    }
    if let Some(cd) = inputs.number("cd")? {
        input.discharge_coefficient = cd;
    }
    if let Some(cost) = inputs.number("steam_cost_per_t")? {
        input.steam_cost_per_tonne = cost;
    }
    if let Some(time) = inputs.quantity::<Duration>("hours_per_year")? {
        input.operating_time_per_year = time;
    }
    if let Some(t) = inputs.quantity("t_makeup")? {
        input.makeup_temperature = t;
    }
    let loss = trap_loss(&input)?;
    Ok(Outputs::new()
        .number("kg_h", loss.steam_loss.kg_per_h())
        .number("kw", loss.energy_loss.kw())
        .number("t_per_year", loss.tonnes_per_year)
        .number("cost_per_year", loss.cost_per_year)
        .boolean("choked", loss.leak.choked))
}
