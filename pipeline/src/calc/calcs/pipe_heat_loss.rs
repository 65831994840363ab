//! `pipe_heat_loss`: radiation and convection from a horizontal pipe, bare or insulated.

use steamflow_operators::analysis::heat_loss::{
    DEFAULT_EMISSIVITY, Insulation, PipeHeatLossInput, pipe_heat_loss,
};
use steamflow_operators::units::{Length, Temperature, Velocity};

use crate::calc::spec::{CalcSpec, number, output, quantity};
use crate::calc::{CalcError, Calculator, Inputs, Outputs};

const SPEC: CalcSpec = CalcSpec {
    name: "pipe_heat_loss",
    about: "Heat loss of a horizontal pipe, bare or insulated, in still air or wind",
    long_about: "q = ε σ (Ts⁴ − Ta⁴) + h_c (Ts − Ta) per unit area with temperatures in K; h_c from \
        Churchill–Chu (natural convection, horizontal cylinder), Churchill–Bernstein (cross \
        wind) or their combination, air properties at the film temperature. Bare pipe: give \
        t_surface. Insulated: give t_fluid, insulation_thickness and insulation_k; the jacket \
        temperature is iterated until conduction through the insulation equals the surface loss.",
    inputs: &[
        quantity("od", "length", "pipe outside diameter, e.g. \"114.3 mm\""),
        quantity("length", "length", "pipe length, e.g. \"50 m\""),
        quantity(
            "t_ambient",
            "temperature",
            "ambient air temperature, e.g. \"20 °C\"",
        ),
        quantity(
            "t_surface",
            "temperature",
            "surface temperature of a bare pipe",
        )
        .optional(),
        quantity(
            "t_fluid",
            "temperature",
            "steam temperature inside an insulated pipe",
        )
        .optional(),
        quantity(
            "insulation_thickness",
            "length",
            "insulation thickness, e.g. \"50 mm\"",
        )
        .optional(),
        quantity(
            "insulation_k",
            "thermal conductivity",
            "insulation conductivity, e.g. \"0.04 W/mK\"",
        )
        .optional(),
        number(
            "emissivity",
            "surface emissivity 0..1 (default 0.9, oxidised steel)",
        )
        .optional(),
        quantity(
            "wind",
            "velocity",
            "wind speed across the pipe (default still air), e.g. \"2 m/s\"",
        )
        .optional(),
    ],
    outputs: &[
        output("w_per_m", "heat loss per metre", "W/m"),
        output("w_total", "heat loss, whole length", "W"),
        output("q_rad_w_per_m", "radiation per metre", "W/m"),
        output("q_conv_w_per_m", "convection per metre", "W/m"),
        output("t_surface_k", "outer surface temperature", "K"),
    ],
};

pub const CALC: Calculator = Calculator { spec: &SPEC, run };

fn run(inputs: &Inputs) -> Result<Outputs, CalcError> {
    let insulated_keys = ["t_fluid", "insulation_thickness", "insulation_k"];
    let given_insulated = inputs.present(&insulated_keys);
    let (fluid, insulation): (Temperature, _) =
        match (inputs.has("t_surface"), given_insulated.len()) {
            (true, 0) => (inputs.required_quantity("t_surface")?, None),
            (false, 3) => (
                inputs.required_quantity("t_fluid")?,
                Some(Insulation {
                    thickness: inputs.required_quantity("insulation_thickness")?,
                    conductivity: inputs.required_quantity("insulation_k")?,
                }),
            ),
            _ => {
                return Err(CalcError::new(
                    "`pipe_heat_loss` needs either t_surface (bare pipe) or all of t_fluid, \
                 insulation_thickness and insulation_k (insulated pipe)",
                ));
            }
        };
    let mut input = PipeHeatLossInput::bare(
        fluid,
        inputs.required_quantity("t_ambient")?,
        inputs.required_quantity::<Length>("od")?,
        inputs.required_quantity("length")?,
    );
    input.insulation = insulation;
    input.emissivity = inputs.number("emissivity")?.unwrap_or(DEFAULT_EMISSIVITY);
    input.wind_speed = inputs
        .quantity("wind")?
        .unwrap_or(Velocity::from_m_per_s(0.0));
    let loss = pipe_heat_loss(&input)?;
    Ok(Outputs::new()
        .number("w_per_m", loss.per_length.w_per_m())
        .number("w_total", loss.total.w())
        .number("q_rad_w_per_m", loss.radiation_per_length.w_per_m())
        .number("q_conv_w_per_m", loss.convection_per_length.w_per_m())
        .number("t_surface_k", loss.surface_temperature.kelvin()))
}
