//! The property set every region's fundamental equation yields.

/// Properties at one state, in the units of the IF97 release:
/// p [MPa], T [K], v [m³/kg], u and h [kJ/kg], s, cp and cv [kJ/(kg K)], w [m/s].
///
/// This is the internal currency between the region modules and the public
/// API in [`super`], which wraps it in typed quantities.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Props {
    pub p: f64,
    pub t: f64,
    pub v: f64,
    pub u: f64,
    pub h: f64,
    pub s: f64,
    pub cp: f64,
    pub cv: f64,
    pub w: f64,
}
