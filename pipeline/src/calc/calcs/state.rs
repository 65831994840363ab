//! `state`: every IAPWS-IF97 property from any supported pair of inputs.

use steamflow_operators::if97::{self, State};
use steamflow_operators::units::{Pressure, SpecificEnthalpy, SpecificEntropy, Temperature};

use crate::calc::spec::{CalcSpec, number, output, quantity};
use crate::calc::{CalcError, Calculator, Inputs, Outputs};

const SPEC: CalcSpec = CalcSpec {
    name: "state",
    about: "Water/steam properties (IAPWS-IF97) from two of p, t, h, s, x",
    long_about: "Water/steam properties from IAPWS-IF97 (IAPWS R7-97(2012) with the \
        supplementary backward releases SR2-01, SR3-03, SR4-04, SR5-05), refined on the \
        forward equations. Give exactly two inputs: (p,t), (p,h), (p,s), (h,s), (p,x) or (t,x). \
        cp, cv and w are not defined in the two-phase region; x only there.",
    inputs: &[
        quantity("p", "pressure", "pressure, e.g. \"3 MPa\", \"10 barg\"").optional(),
        quantity(
            "t",
            "temperature",
            "temperature, e.g. \"300 K\", \"180 °C\"",
        )
        .optional(),
        quantity(
            "h",
            "specific enthalpy",
            "specific enthalpy, e.g. \"2800 kJ/kg\"",
        )
        .optional(),
        quantity(
            "s",
            "specific entropy",
            "specific entropy, e.g. \"6.5 kJ/kgK\"",
        )
        .optional(),
        number("x", "dryness fraction, 0..1").optional(),
    ],
    outputs: STATE_OUTPUTS,
};

/// The outputs of a full state, shared with other calculators that report one.
pub const STATE_OUTPUTS: &[crate::calc::spec::OutputSpec] = &[
    output("region", "IF97 region", ""),
    output("p_mpa", "pressure", "MPa"),
    output("t_k", "temperature", "K"),
    output("v_m3_kg", "specific volume", "m³/kg"),
    output("rho_kg_m3", "density", "kg/m³"),
    output("u_kj_kg", "specific internal energy", "kJ/kg"),
    output("h_kj_kg", "specific enthalpy", "kJ/kg"),
    output("s_kj_kgk", "specific entropy", "kJ/(kg K)"),
    output("cp_kj_kgk", "isobaric heat capacity", "kJ/(kg K)"),
    output("cv_kj_kgk", "isochoric heat capacity", "kJ/(kg K)"),
    output("w_m_s", "speed of sound", "m/s"),
    output("x", "dryness fraction", ""),
];

pub const CALC: Calculator = Calculator { spec: &SPEC, run };

fn run(inputs: &Inputs) -> Result<Outputs, CalcError> {
    let given = inputs.present(&["p", "t", "h", "s", "x"]);
    let p = || inputs.required_quantity::<Pressure>("p");
    let t = || inputs.required_quantity::<Temperature>("t");
    let h = || inputs.required_quantity::<SpecificEnthalpy>("h");
    let s = || inputs.required_quantity::<SpecificEntropy>("s");
    let x = || inputs.required_number("x");
    let state = match given.as_slice() {
        ["p", "t"] => if97::state_pt(p()?, t()?)?,
        ["p", "h"] => if97::state_ph(p()?, h()?)?,
        ["p", "s"] => if97::state_ps(p()?, s()?)?,
        ["h", "s"] => if97::state_hs(h()?, s()?)?,
        ["p", "x"] => if97::state_px(p()?, x()?)?,
        ["t", "x"] => if97::state_tx(t()?, x()?)?,
        _ => {
            return Err(CalcError::new(format!(
                "`state` needs exactly two inputs out of (p,t), (p,h), (p,s), (h,s), (p,x), (t,x); got {}",
                if given.is_empty() {
                    "none".to_owned()
                } else {
                    given.join(", ")
                }
            )));
        }
    };
    Ok(state_outputs(&state))
}

/// A state in the fixed output units.
pub fn state_outputs(state: &State) -> Outputs {
    Outputs::new()
        .integer("region", i64::from(state.region.number()))
        .number("p_mpa", state.p.mpa())
        .number("t_k", state.t.kelvin())
        .number("v_m3_kg", state.v.m3_per_kg())
        .number("rho_kg_m3", state.rho.kg_per_m3())
        .number("u_kj_kg", state.u.kj_per_kg())
        .number("h_kj_kg", state.h.kj_per_kg())
        .number("s_kj_kgk", state.s.kj_per_kg_k())
        .maybe("cp_kj_kgk", state.cp.map(|c| c.kj_per_kg_k()))
        .maybe("cv_kj_kgk", state.cv.map(|c| c.kj_per_kg_k()))
        .maybe("w_m_s", state.w.map(|w| w.m_per_s()))
        .maybe("x", state.x)
}
