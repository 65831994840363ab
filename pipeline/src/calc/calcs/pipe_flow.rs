//! `friction_factor` and `pressure_drop`: Darcy–Weisbach with Colebrook.

use steamflow_operators::analysis::pressure_drop::{
    COMMERCIAL_STEEL_ROUGHNESS, PipeFlow, friction_factor, pressure_drop,
};
use steamflow_operators::if97;
use steamflow_operators::transport::{mcadams_viscosity, steam_viscosity};
use steamflow_operators::units::{Length, MassFlow, Pressure, Temperature};

use crate::calc::spec::{CalcSpec, number, output, quantity};
use crate::calc::{CalcError, Calculator, Inputs, Outputs};

const FRICTION_SPEC: CalcSpec = CalcSpec {
    name: "friction_factor",
    about: "Darcy friction factor: Colebrook solved exactly, 64/Re when laminar",
    long_about: "Darcy friction factor from the Colebrook–White equation \
        1/√f = −2 log10(ε/(3.7 D) + 2.51/(Re √f)), solved to round-off (not an explicit \
        approximation); 64/Re below Re = 2300 and interpolated between 2300 and 4000.",
    inputs: &[
        number("re", "Reynolds number"),
        number("relative_roughness", "relative roughness ε/D, e.g. 0.0001"),
    ],
    outputs: &[output("f_darcy", "Darcy friction factor", "")],
};

const DROP_SPEC: CalcSpec = CalcSpec {
    name: "pressure_drop",
    about: "Pressure drop of steam or water in a pipe (Darcy–Weisbach, fittings, elevation)",
    long_about: "Δp = f (L/D) ρv²/2 + ΣK ρv²/2 + ρ g Δz with the Colebrook friction factor; \
        density from IAPWS-IF97 and viscosity from IAPWS R12-08 at the inlet state (t_in, or \
        x_in for saturated or wet steam: homogeneous density, McAdams viscosity). Density is \
        taken constant, which holds while the drop is a small part of the inlet pressure: a \
        drop of 40 % of the inlet pressure or more (Crane TP-410's limit for Darcy–Weisbach \
        on compressible flow), or a velocity at the speed of sound, is refused.",
    inputs: &[
        quantity("mass_flow", "mass flow", "mass flow, e.g. \"5 t/h\""),
        quantity("p_in", "pressure", "inlet pressure, e.g. \"10 barg\""),
        quantity("t_in", "temperature", "inlet temperature (single phase)").optional(),
        number(
            "x_in",
            "inlet dryness fraction (saturated or wet steam), 0..1",
        )
        .optional(),
        quantity("d_inner", "length", "inner diameter, e.g. \"102.3 mm\""),
        quantity("length", "length", "pipe length, e.g. \"100 m\""),
        quantity(
            "roughness",
            "length",
            "absolute roughness (default 0.045 mm, commercial steel)",
        )
        .optional(),
        number("k_total", "sum of fitting K-factors (default 0)").optional(),
        quantity(
            "elevation",
            "length",
            "outlet height minus inlet height (default 0 m)",
        )
        .optional(),
    ],
    outputs: &[
        output("dp_kpa", "pressure drop", "kPa"),
        output("velocity_m_s", "velocity", "m/s"),
        output("reynolds", "Reynolds number", ""),
        output("f_darcy", "Darcy friction factor", ""),
    ],
};

/// Crane TP-410 (chapter 1, compressible flow): Darcy–Weisbach with one
/// density is reasonable up to about 10 % of the inlet pressure, usable to
/// about 40 % with an averaged density, and not beyond; past 40 % the answer
/// is refused, not guessed.
const MAX_RELATIVE_DROP: f64 = 0.4;

pub const FRICTION: Calculator = Calculator {
    spec: &FRICTION_SPEC,
    run: run_friction,
};
pub const DROP: Calculator = Calculator {
    spec: &DROP_SPEC,
    run: run_drop,
};

fn run_friction(inputs: &Inputs) -> Result<Outputs, CalcError> {
    let f = friction_factor(
        inputs.required_number("re")?,
        inputs.required_number("relative_roughness")?,
    )?;
    Ok(Outputs::new().number("f_darcy", f))
}

fn run_drop(inputs: &Inputs) -> Result<Outputs, CalcError> {
    let p_in: Pressure = inputs.required_quantity("p_in")?;
    // Density, viscosity and the speed of sound of the inlet state. Wet steam
    // is taken as homogeneous; its speed of sound is below the saturated
    // vapour's, so checking against the vapour's is the lenient bound.
    let (density, viscosity, sound) = match inputs.present(&["t_in", "x_in"]).as_slice() {
        ["t_in"] => {
            let state = if97::state_pt(p_in, inputs.required_quantity::<Temperature>("t_in")?)?;
            (state.rho, steam_viscosity(&state)?, state.w)
        }
        ["x_in"] => {
            let x = inputs.required_number("x_in")?;
            let wet = if97::state_px(p_in, x)?;
            let sat = if97::Saturation::at_pressure(p_in)?;
            let mu = mcadams_viscosity(
                steam_viscosity(&sat.liquid)?,
                steam_viscosity(&sat.vapour)?,
                x,
            )?;
            (wet.rho, mu, sat.vapour.w)
        }
        _ => {
            return Err(CalcError::new(
                "`pressure_drop` needs exactly one of t_in or x_in",
            ));
        }
    };
    let flow = PipeFlow {
        mass_flow: inputs.required_quantity::<MassFlow>("mass_flow")?,
        inner_diameter: inputs.required_quantity("d_inner")?,
        length: inputs.required_quantity("length")?,
        roughness: inputs
            .quantity("roughness")?
            .unwrap_or(COMMERCIAL_STEEL_ROUGHNESS),
        density,
        viscosity,
        fittings_k: inputs.number("k_total")?.unwrap_or(0.0),
        elevation_change: inputs.quantity("elevation")?.unwrap_or(Length::from_m(0.0)),
        inlet_pressure: Some(p_in),
    };
    let drop = pressure_drop(&flow)?;
    if let Some(w) = sound.filter(|w| drop.velocity >= *w) {
        return Err(CalcError::new(format!(
            "the velocity ({:.0} m/s) reaches the speed of sound ({:.0} m/s): the flow is \
             choked and Darcy–Weisbach does not apply; use a larger pipe or less flow",
            drop.velocity.m_per_s(),
            w.m_per_s()
        )));
    }
    if drop.relative_drop.is_some_and(|r| r >= MAX_RELATIVE_DROP) {
        return Err(CalcError::new(format!(
            "the drop ({:.0} kPa) is {:.0} % of the inlet pressure: the constant-density \
             model does not hold; split the pipe into shorter segments",
            drop.total.kpa(),
            drop.relative_drop.unwrap_or(0.0) * 100.0
        )));
    }
    Ok(Outputs::new()
        .number("dp_kpa", drop.total.kpa())
        .number("velocity_m_s", drop.velocity.m_per_s())
        .number("reynolds", drop.reynolds)
        .number("f_darcy", drop.friction_factor))
}
