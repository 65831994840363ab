//! One file per calculator (or per family of closely related ones).

mod economics;
mod pipe_flow;
mod saturation;
mod state;

use super::Calculator;

pub const ALL: &[Calculator] = &[
    state::CALC,
    saturation::CALC,
    pipe_flow::FRICTION,
    pipe_flow::DROP,
    economics::NPV,
    economics::IRR,
    economics::PAYBACK,
];
