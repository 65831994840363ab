//! States from (h, s): IAPWS SR4-04(2014) — p3a(h,s), p3b(h,s), the
//! saturation temperature T_sat(h,s) in the two-phase region above
//! s''(623.15 K), and the boundary equations h'1(s), h'3(s), h''2ab(s),
//! h''2c3b(s), h_B13(s), T_B23(h,s) — together with the R7-97 p(h,s) of
//! regions 1 and 2, to locate and solve any (h, s) point.
//!
//! Units: h [kJ/kg], s [kJ/(kg K)].

use super::error::Result;
use super::state::Point;

/// Locates the (h, s) point and solves it to forward-equation accuracy.
pub(crate) fn solve_hs(h: f64, s: f64) -> Result<Point> {
    let _ = (h, s);
    todo!("(h,s)")
}
