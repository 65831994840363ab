//! Viscosity of a homogeneous two-phase (wet steam) flow.

use crate::analysis::error::{Result, fraction, positive};
use crate::units::DynamicViscosity;

/// McAdams' mixture viscosity, 1/μ = x/μ_g + (1 − x)/μ_f: the mass-weighted
/// harmonic mean used with the homogeneous two-phase model (McAdams, Woods
/// and Heroman, Trans. ASME 64 (1942) 193–200; see also Collier & Thome,
/// Convective Boiling and Condensation, 3rd ed., section 2.2).
///
/// At x = 0 it is the liquid's viscosity and at x = 1 the vapour's.
pub fn mcadams_viscosity(
    liquid: DynamicViscosity,
    vapour: DynamicViscosity,
    x: f64,
) -> Result<DynamicViscosity> {
    let x = fraction("dryness fraction", x)?;
    let mu_f = positive("liquid viscosity [Pa s]", liquid.pa_s())?;
    let mu_g = positive("vapour viscosity [Pa s]", vapour.pa_s())?;
    Ok(DynamicViscosity::from_pa_s(
        1.0 / (x / mu_g + (1.0 - x) / mu_f),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ends_are_the_pure_phases_and_the_mean_lies_between() {
        let (f, g) = (
            DynamicViscosity::from_pa_s(1.5e-4),
            DynamicViscosity::from_pa_s(1.5e-5),
        );
        assert_eq!(mcadams_viscosity(f, g, 0.0).unwrap(), f);
        assert!((mcadams_viscosity(f, g, 1.0).unwrap().pa_s() - g.pa_s()).abs() < 1e-20);
        // x = 0.5: 1/μ = 0.5/1.5e-5 + 0.5/1.5e-4 = 36 666.67, μ = 2.727e-5.
        let mid = mcadams_viscosity(f, g, 0.5).unwrap().pa_s();
        assert!((mid - 2.727_272_7e-5).abs() < 1e-12);
    }

    #[test]
    fn bad_inputs_are_errors() {
        let (f, g) = (
            DynamicViscosity::from_pa_s(1.5e-4),
            DynamicViscosity::from_pa_s(1.5e-5),
        );
        assert!(mcadams_viscosity(f, g, 1.5).is_err());
        assert!(mcadams_viscosity(f, g, f64::NAN).is_err());
        assert!(mcadams_viscosity(DynamicViscosity::from_pa_s(0.0), g, 0.5).is_err());
    }
}
