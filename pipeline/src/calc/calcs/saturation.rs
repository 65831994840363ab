//! `saturation`: the saturated liquid and vapour at a pressure or temperature.

use steamflow_operators::if97::Saturation;
use steamflow_operators::units::{Pressure, Temperature};

use crate::calc::spec::{CalcSpec, output, quantity};
use crate::calc::{CalcError, Calculator, Inputs, Outputs};

const SPEC: CalcSpec = CalcSpec {
    name: "saturation",
    about: "Saturation properties (IAPWS-IF97 region 4) by pressure or temperature",
    long_about: "Saturated liquid (f) and vapour (g) at a pressure (611.213 Pa to 22.064 MPa) \
        or a temperature (273.15 K to 647.096 K), from IAPWS-IF97 equations 30 and 31 with \
        the liquid and vapour from regions 1 and 2 (region 3 above 623.15 K). Give p or t.",
    inputs: &[
        quantity("p", "pressure", "saturation pressure, e.g. \"10 barg\"").optional(),
        quantity(
            "t",
            "temperature",
            "saturation temperature, e.g. \"180 °C\"",
        )
        .optional(),
    ],
    outputs: &[
        output("p_mpa", "saturation pressure", "MPa"),
        output("t_k", "saturation temperature", "K"),
        output("hf_kj_kg", "liquid enthalpy h'", "kJ/kg"),
        output("hg_kj_kg", "vapour enthalpy h''", "kJ/kg"),
        output("hfg_kj_kg", "latent heat h''-h'", "kJ/kg"),
        output("sf_kj_kgk", "liquid entropy s'", "kJ/(kg K)"),
        output("sg_kj_kgk", "vapour entropy s''", "kJ/(kg K)"),
        output("vf_m3_kg", "liquid specific volume v'", "m³/kg"),
        output("vg_m3_kg", "vapour specific volume v''", "m³/kg"),
    ],
};

pub const CALC: Calculator = Calculator { spec: &SPEC, run };

fn run(inputs: &Inputs) -> Result<Outputs, CalcError> {
    let sat = match inputs.present(&["p", "t"]).as_slice() {
        ["p"] => Saturation::at_pressure(inputs.required_quantity::<Pressure>("p")?)?,
        ["t"] => Saturation::at_temperature(inputs.required_quantity::<Temperature>("t")?)?,
        _ => return Err(CalcError::new("`saturation` needs exactly one of p or t")),
    };
    Ok(Outputs::new()
        .number("p_mpa", sat.p.mpa())
        .number("t_k", sat.t.kelvin())
        .number("hf_kj_kg", sat.liquid.h.kj_per_kg())
        .number("hg_kj_kg", sat.vapour.h.kj_per_kg())
        .number("hfg_kj_kg", sat.hfg().kj_per_kg())
        .number("sf_kj_kgk", sat.liquid.s.kj_per_kg_k())
        .number("sg_kj_kgk", sat.vapour.s.kj_per_kg_k())
        .number("vf_m3_kg", sat.liquid.v.m3_per_kg())
        .number("vg_m3_kg", sat.vapour.v.m3_per_kg()))
}
