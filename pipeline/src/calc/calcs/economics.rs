//! `npv`, `irr`, `payback`: project appraisal on a list of cash flows.
//!
//! Convention (all three): `cashflows[0]` happens now and is not discounted,
//! `cashflows[t]` at the end of period t.

use steamflow_operators::economics::{self, Irr};

use crate::calc::spec::{CalcSpec, number, numbers, output};
use crate::calc::{CalcError, Calculator, Inputs, Outputs};

const CASHFLOWS_HELP: &str =
    "cash flows per period, the first at t=0 (undiscounted), e.g. \"-1000,300,400,500\"";

const NPV_SPEC: CalcSpec = CalcSpec {
    name: "npv",
    about: "Net present value of cash flows, the first at t=0 undiscounted",
    long_about: "NPV = Σ CF_t / (1 + r)^t for t = 0..n: the first cash flow happens now and is \
        not discounted (unlike a spreadsheet's NPV(), which discounts its first value). \
        The rate is a fraction per period (0.08 = 8 %).",
    inputs: &[
        number("rate", "discount rate per period as a fraction, e.g. 0.08"),
        numbers("cashflows", CASHFLOWS_HELP),
    ],
    outputs: &[output("npv", "net present value", "")],
};

const IRR_SPEC: CalcSpec = CalcSpec {
    name: "irr",
    about: "Internal rate of return; reports no root or several roots honestly",
    long_about: "Every real rate r > -1 with NPV(r) = 0. `irr` is the rate when there is exactly \
        one and null otherwise (none, or several: then `roots` lists them all and no single \
        one is the IRR).",
    inputs: &[numbers("cashflows", CASHFLOWS_HELP)],
    outputs: &[
        output("irr", "internal rate of return (fraction)", ""),
        output("roots", "every rate with NPV = 0", ""),
    ],
};

const PAYBACK_SPEC: CalcSpec = CalcSpec {
    name: "payback",
    about: "Simple and discounted payback period, interpolated within the period",
    long_about: "The time at which the cumulative (discounted, with `rate`) cash flow first \
        turns non-negative for good, interpolated linearly within the period; null when it \
        never does. Without a rate the discounted payback equals the simple one.",
    inputs: &[
        numbers("cashflows", CASHFLOWS_HELP),
        number(
            "rate",
            "discount rate per period for the discounted payback, e.g. 0.08",
        )
        .optional(),
    ],
    outputs: &[
        output("simple_years", "simple payback", "periods"),
        output("discounted_years", "discounted payback", "periods"),
    ],
};

pub const NPV: Calculator = Calculator {
    spec: &NPV_SPEC,
    run: run_npv,
};
pub const IRR: Calculator = Calculator {
    spec: &IRR_SPEC,
    run: run_irr,
};
pub const PAYBACK: Calculator = Calculator {
    spec: &PAYBACK_SPEC,
    run: run_payback,
};

fn run_npv(inputs: &Inputs) -> Result<Outputs, CalcError> {
    let rate = inputs.required_number("rate")?;
    let cashflows = inputs.required_numbers("cashflows")?;
    Ok(Outputs::new().number("npv", economics::npv(rate, &cashflows)?))
}

fn run_irr(inputs: &Inputs) -> Result<Outputs, CalcError> {
    let irr: Irr = economics::irr(&inputs.required_numbers("cashflows")?)?;
    Ok(Outputs::new()
        .maybe("irr", irr.unique())
        .numbers("roots", &irr.roots()))
}

fn run_payback(inputs: &Inputs) -> Result<Outputs, CalcError> {
    let cashflows = inputs.required_numbers("cashflows")?;
    let simple = economics::payback(&cashflows, None)?;
    // Without a rate nothing is discounted: the discounted payback is the simple one.
    let discounted = match inputs.number("rate")? {
        Some(rate) => economics::payback(&cashflows, Some(rate))?,
        None => simple,
    };
    Ok(Outputs::new()
        .maybe("simple_years", simple)
        .maybe("discounted_years", discounted))
}
