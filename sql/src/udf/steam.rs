//! The calculations behind the SQL functions, one plain `f64` kernel each,
//! in the units the SQL functions take (bar absolute, °C, mm, kJ/kg).
//!
//! Each kernel calls `steamflow_operators` and nothing else, so a SQL result
//! is the `operators` result, converted. A kernel answers
//! `Ok(Some(value))`, `Ok(None)` where NULL is the honest answer (a payback
//! that never comes), or `Err(OutOfRange)` where the inputs have no answer
//! (outside IF97, NaN, a negative diameter, …): the SQL function returns
//! NULL for that row and counts the error.

use steamflow_operators::analysis::flash::flash_fraction;
use steamflow_operators::analysis::heat_loss::{Insulation, PipeHeatLossInput, pipe_heat_loss};
use steamflow_operators::analysis::leak::{OrificeLeak, orifice_leak};
use steamflow_operators::economics;
use steamflow_operators::if97::{self, Saturation};
use steamflow_operators::units::{Length, Pressure, Temperature, ThermalConductivity};

/// The inputs of a row have no answer (the row's result is NULL, and counted).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutOfRange;

/// What a kernel makes of one row.
pub type Outcome = Result<Option<f64>, OutOfRange>;

/// One row's calculation; `args` has exactly the function's arity.
pub type Kernel = fn(args: &[f64]) -> Outcome;

/// A finite value, or out of range (a NaN or infinite result is never returned).
fn finite(value: f64) -> Outcome {
    if value.is_finite() {
        Ok(Some(value))
    } else {
        Err(OutOfRange)
    }
}

fn bar(p_bar_abs: f64) -> Pressure {
    Pressure::from_bar(p_bar_abs)
}

fn celsius(t_c: f64) -> Temperature {
    Temperature::from_celsius(t_c)
}

fn state_pt(args: &[f64]) -> Result<if97::State, OutOfRange> {
    let &[p, t] = args else {
        return Err(OutOfRange);
    };
    if97::state_pt(bar(p), celsius(t)).map_err(|_| OutOfRange)
}

fn state_px(args: &[f64]) -> Result<if97::State, OutOfRange> {
    let &[p, x] = args else {
        return Err(OutOfRange);
    };
    if97::state_px(bar(p), x).map_err(|_| OutOfRange)
}

fn saturation(args: &[f64]) -> Result<Saturation, OutOfRange> {
    let &[p] = args else {
        return Err(OutOfRange);
    };
    Saturation::at_pressure(bar(p)).map_err(|_| OutOfRange)
}

/// h(p, T) [kJ/kg] (IF97 regions 1, 2, 3, 5).
pub fn h_pt(args: &[f64]) -> Outcome {
    let &[p, t] = args else {
        return Err(OutOfRange);
    };
    let h = if97::h_pt(bar(p), celsius(t)).map_err(|_| OutOfRange)?;
    finite(h.kj_per_kg())
}

/// s(p, T) [kJ/(kg K)].
pub fn s_pt(args: &[f64]) -> Outcome {
    finite(state_pt(args)?.s.kj_per_kg_k())
}

/// v(p, T) [m³/kg].
pub fn v_pt(args: &[f64]) -> Outcome {
    finite(state_pt(args)?.v.m3_per_kg())
}

/// ρ(p, T) [kg/m³].
pub fn rho_pt(args: &[f64]) -> Outcome {
    finite(state_pt(args)?.rho.kg_per_m3())
}

/// h(p, x) of wet steam [kJ/kg].
pub fn h_px(args: &[f64]) -> Outcome {
    finite(state_px(args)?.h.kj_per_kg())
}

/// s(p, x) [kJ/(kg K)].
pub fn s_px(args: &[f64]) -> Outcome {
    finite(state_px(args)?.s.kj_per_kg_k())
}

/// v(p, x) [m³/kg].
pub fn v_px(args: &[f64]) -> Outcome {
    finite(state_px(args)?.v.m3_per_kg())
}

/// ρ(p, x) [kg/m³].
pub fn rho_px(args: &[f64]) -> Outcome {
    finite(state_px(args)?.rho.kg_per_m3())
}

/// Tsat(p) [°C] (R7-97 eq. 31).
pub fn tsat_p(args: &[f64]) -> Outcome {
    let &[p] = args else {
        return Err(OutOfRange);
    };
    let t = if97::saturation_temperature(bar(p)).map_err(|_| OutOfRange)?;
    finite(t.celsius())
}

/// psat(T) [bar abs] (R7-97 eq. 30).
pub fn psat_t(args: &[f64]) -> Outcome {
    let &[t] = args else {
        return Err(OutOfRange);
    };
    let p = if97::saturation_pressure(celsius(t)).map_err(|_| OutOfRange)?;
    finite(p.bar())
}

/// h_fg(p) = h'' − h' [kJ/kg].
pub fn latent_heat_p(args: &[f64]) -> Outcome {
    finite(saturation(args)?.hfg().kj_per_kg())
}

/// T − Tsat(p) [K]; negative for subcooled liquid.
pub fn superheat_pt(args: &[f64]) -> Outcome {
    let &[p, t] = args else {
        return Err(OutOfRange);
    };
    if !t.is_finite() {
        return Err(OutOfRange);
    }
    let tsat = if97::saturation_temperature(bar(p)).map_err(|_| OutOfRange)?;
    finite(t - tsat.celsius())
}

/// Flash fraction of saturated condensate from p_high to p_low, 0 … 1.
pub fn flash(args: &[f64]) -> Outcome {
    let &[p_high, p_low] = args else {
        return Err(OutOfRange);
    };
    let flash = flash_fraction(bar(p_high), bar(p_low), None).map_err(|_| OutOfRange)?;
    finite(flash.fraction)
}

/// Dry saturated steam leaking to the standard atmosphere through a hole
/// [kg/h] (isentropic orifice equation, C_d = 0.7).
pub fn leak_kg_h(args: &[f64]) -> Outcome {
    let &[p, d_mm] = args else {
        return Err(OutOfRange);
    };
    let leak = OrificeLeak::saturated_to_atmosphere(bar(p), Length::from_mm(d_mm));
    let rate = orifice_leak(&leak).map_err(|_| OutOfRange)?;
    finite(rate.mass_flow.kg_per_h())
}

/// Heat loss per metre of a horizontal pipe in still air [W/m].
pub fn heat_loss_w_per_m(args: &[f64]) -> Outcome {
    let &[t_fluid, t_air, od_mm, insulation_mm, k] = args else {
        return Err(OutOfRange);
    };
    let mut input = PipeHeatLossInput::bare(
        celsius(t_fluid),
        celsius(t_air),
        Length::from_mm(od_mm),
        Length::from_m(1.0),
    );
    if insulation_mm != 0.0 {
        input.insulation = Some(Insulation {
            thickness: Length::from_mm(insulation_mm),
            conductivity: ThermalConductivity::from_w_per_m_k(k),
        });
    }
    let loss = pipe_heat_loss(&input).map_err(|_| OutOfRange)?;
    finite(loss.per_length.w_per_m())
}

/// Whole years 1 … 100 from a float, or out of range.
fn years(value: f64) -> Result<usize, OutOfRange> {
    if value.fract() == 0.0 && (1.0..=100.0).contains(&value) {
        Ok(value as usize)
    } else {
        Err(OutOfRange)
    }
}

/// An investment at t = 0 followed by equal yearly savings.
fn annuity(investment: f64, saving: f64, n: usize) -> Vec<f64> {
    let mut cashflows = Vec::with_capacity(n + 1);
    cashflows.push(-investment);
    cashflows.extend(std::iter::repeat_n(saving, n));
    cashflows
}

/// NPV of −investment now and `saving` at the end of each of `years` years.
pub fn npv_annuity(args: &[f64]) -> Outcome {
    let &[rate, investment, saving, n] = args else {
        return Err(OutOfRange);
    };
    let cashflows = annuity(investment, saving, years(n)?);
    let value = economics::npv(rate, &cashflows).map_err(|_| OutOfRange)?;
    finite(value)
}

/// Simple payback investment / saving [years]; NULL when it never pays back.
pub fn simple_payback(args: &[f64]) -> Outcome {
    let &[investment, saving] = args else {
        return Err(OutOfRange);
    };
    match economics::simple_payback(investment, saving).map_err(|_| OutOfRange)? {
        Some(years) => finite(years),
        None => Ok(None),
    }
}

/// Discounted payback [years]; NULL when it does not pay back within `years`.
pub fn discounted_payback(args: &[f64]) -> Outcome {
    let &[rate, investment, saving, n] = args else {
        return Err(OutOfRange);
    };
    let cashflows = annuity(investment, saving, years(n)?);
    match economics::payback(&cashflows, Some(rate)).map_err(|_| OutOfRange)? {
        Some(years) => finite(years),
        None => Ok(None),
    }
}
