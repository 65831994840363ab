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

/// What a Newton iteration in (p, T) needs at one state of a (p, T) region
/// (1, 2 or 5): h and s and their partial derivatives, from the same sums as
/// [`Props`] — ∂h/∂T = cp and ∂s/∂T = cp/T at constant p, and at constant T
/// ∂h/∂p = v − T(∂v/∂T)_p and ∂s/∂p = −(∂v/∂T)_p (a Maxwell relation).
/// Units: h [kJ/kg], s and cp [kJ/(kg K)], ∂h/∂p [kJ/(kg MPa)], ∂s/∂p [kJ/(kg K MPa)].
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Caloric {
    pub h: f64,
    pub s: f64,
    pub cp: f64,
    pub dh_dp: f64,
    pub ds_dp: f64,
}
