//! Region 4: the saturation line. IAPWS R7-97(2012) section 8.
//!
//! Units: p [MPa], T [K].

/// Saturation pressure from temperature, eq. 30 (273.15 K ≤ T ≤ 647.096 K).
pub(crate) fn psat(t: f64) -> f64 {
    let _ = t;
    todo!("psat")
}

/// Saturation temperature from pressure, eq. 31 (611.213 Pa ≤ p ≤ 22.064 MPa).
pub(crate) fn tsat(p: f64) -> f64 {
    let _ = p;
    todo!("tsat")
}
