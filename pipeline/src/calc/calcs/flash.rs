//! `flash`: the fraction of condensate that flashes to steam at a lower pressure.

use steamflow_operators::analysis::flash::flash_fraction;

use crate::calc::spec::{CalcSpec, output, quantity};
use crate::calc::{CalcError, Calculator, Inputs, Outputs};

const SPEC: CalcSpec = CalcSpec {
    name: "flash",
    about: "Flash steam fraction of condensate let down from p_from to p_to",
    long_about: "x = (h_initial − h_f(p_to)) / h_fg(p_to), clamped to 0..1, with IAPWS-IF97 \
        enthalpies. Condensate is saturated at p_from unless t_from gives its (subcooled) \
        temperature. 10 barg to 0 barg flashes about 16 %.",
    inputs: &[
        quantity(
            "p_from",
            "pressure",
            "pressure of the condensate before the let-down, e.g. \"10 barg\"",
        ),
        quantity(
            "p_to",
            "pressure",
            "pressure it flashes to, e.g. \"0 barg\"",
        ),
        quantity(
            "t_from",
            "temperature",
            "condensate temperature if subcooled",
        )
        .optional(),
    ],
    outputs: &[output("flash_fraction", "flash steam fraction", "")],
};

pub const CALC: Calculator = Calculator { spec: &SPEC, run };

fn run(inputs: &Inputs) -> Result<Outputs, CalcError> {
    let flash = flash_fraction(
        inputs.required_quantity("p_from")?,
        inputs.required_quantity("p_to")?,
        inputs.quantity("t_from")?,
    )?;
    Ok(Outputs::new().number("flash_fraction", flash.fraction))
}
