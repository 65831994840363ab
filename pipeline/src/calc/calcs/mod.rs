//! One file per calculator (or per family of closely related ones).

mod economics;
mod saturation;
mod state;

use super::Calculator;

pub const ALL: &[Calculator] = &[
    state::CALC,
    saturation::CALC,
    economics::NPV,
    economics::IRR,
    economics::PAYBACK,
];
