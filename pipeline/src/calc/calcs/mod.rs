//! One file per calculator (or per family of closely related ones).

mod economics;
mod flash;
mod leak;
mod pipe_flow;
mod pipe_heat_loss;
mod saturation;
mod state;
mod steam_value;

use super::Calculator;

pub const ALL: &[Calculator] = &[
    state::CALC,
    saturation::CALC,
    flash::CALC,
    leak::LEAK,
    leak::TRAP,
    pipe_heat_loss::CALC,
    pipe_flow::FRICTION,
    pipe_flow::DROP,
    steam_value::COST,
    steam_value::CONDENSATE,
    economics::NPV,
    economics::IRR,
    economics::PAYBACK,
];
