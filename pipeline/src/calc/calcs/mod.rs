//! One file per calculator.

mod saturation;
mod state;

use super::Calculator;

pub const ALL: &[Calculator] = &[state::CALC, saturation::CALC];
