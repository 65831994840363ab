//! Boundary equations of IAPWS R7-97(2012): B23 between regions 2 and 3
//! (section 4, eqs. 5 and 6) and B2bc between subregions 2b and 2c (eq. 20, 21).
//!
//! Units: p [MPa], T [K], h [kJ/kg].

/// Pressure on the B23 line from temperature, eq. 5.
pub(crate) fn b23_p(t: f64) -> f64 {
    let _ = t;
    todo!("B23 p(T)")
}

/// Temperature on the B23 line from pressure, eq. 6.
pub(crate) fn b23_t(p: f64) -> f64 {
    let _ = p;
    todo!("B23 T(p)")
}
