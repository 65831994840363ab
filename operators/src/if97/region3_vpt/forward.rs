//! Pressure and its density derivative from the region-3 Helmholtz free
//! energy, IAPWS R7-97(2012) eq. 28 with the coefficients of table 30,
//! for the Newton iterations of this module.
//!
//! With δ = ρ/ρc, τ = Tc/T and φ = n₁ ln δ + Σᵢ₌₂⁴⁰ nᵢ δ^Iᵢ τ^Jᵢ (table 31):
//!   p / (ρRT)           = δφ_δ             = n₁ + Σ nᵢ Iᵢ δ^Iᵢ τ^Jᵢ,
//!   (∂p/∂ρ)_T / (RT)    = 2δφ_δ + δ²φ_δδ   = n₁ + Σ nᵢ Iᵢ (Iᵢ + 1) δ^Iᵢ τ^Jᵢ.
//!
//! Units: ρ [kg/m³], T [K], p [MPa], ∂p/∂ρ [MPa m³/kg].

use crate::if97::constants::{R, RHOC, TC};

/// n₁, the coefficient of ln δ (R7-97 table 30).
const N1: f64 = 0.10658070028513e1;

/// (Iᵢ, Jᵢ, nᵢ) for i = 2 … 40 (R7-97 table 30).
const TERMS: [(i32, i32, f64); 39] = [
    (0, 0, -0.15732845290239e2),
    (0, 1, 0.20944396974307e2),
    (0, 2, -0.76867707878716e1),
    (0, 7, 0.26185947787954e1),
    (0, 10, -0.28080781148620e1),
    (0, 12, 0.12053369696517e1),
    (0, 23, -0.84566812812502e-2),
    (1, 2, -0.12654315477714e1),
    (1, 6, -0.11524407806681e1),
    (1, 15, 0.88521043984318),
    (1, 17, -0.64207765181607),
    (2, 0, 0.38493460186671),
    (2, 2, -0.85214708824206),
    (2, 6, 0.48972281541877e1),
    (2, 7, -0.30502617256965e1),
    (2, 22, 0.39420536879154e-1),
    (2, 26, 0.12558408424308),
    (3, 0, -0.27999329698710),
    (3, 2, 0.13899799569460e1),
    (3, 4, -0.20189915023570e1),
    (3, 16, -0.82147637173963e-2),
    (3, 26, -0.47596035734923),
    (4, 0, 0.43984074473500e-1),
    (4, 2, -0.44476435428739),
    (4, 4, 0.90572070719733),
    (4, 26, 0.70522450087967),
    (5, 1, 0.10770512626332),
    (5, 3, -0.32913623258954),
    (5, 26, -0.50871062041158),
    (6, 0, -0.22175400873096e-1),
    (6, 2, 0.94260751665092e-1),
    (6, 26, 0.16436278447961),
    (7, 2, -0.13503372241348e-1),
    (8, 26, -0.14834345352472e-1),
    (9, 2, 0.57922953628084e-3),
    (9, 26, 0.32308904703711e-2),
    (10, 0, 0.80964802996215e-4),
    (10, 1, -0.16557679795037e-3),
    (11, 26, -0.44923899061815e-4),
];

/// The pressure on an isotherm at one density, with what Newton needs.
#[derive(Clone, Copy, Debug)]
pub(super) struct IsothermPoint {
    /// p [MPa].
    pub(super) p: f64,
    /// (∂p/∂ρ)_T [MPa m³/kg].
    pub(super) slope: f64,
    /// A bound on the rounding error of p [MPa]: the terms of δφ_δ are
    /// often far larger than their sum (in the dense liquid near 623 K they
    /// cancel by four orders of magnitude), so p is only good to
    /// ε·ρRT·Σ|terms|, up to about 1e-12 relative, not to ε·p.
    pub(super) round_off: f64,
}

/// Pressure, (∂p/∂ρ)_T and the rounding error of p at (ρ, T) in region 3.
pub(super) fn isotherm_point(rho: f64, t: f64) -> IsothermPoint {
    let delta = rho / RHOC;
    let tau = TC / t;
    let (mut d_phi, mut slope, mut magnitude) = (N1, N1, N1.abs());
    for &(i, j, n) in &TERMS {
        let term = n * f64::from(i) * delta.powi(i) * tau.powi(j);
        d_phi += term;
        slope += term * f64::from(i + 1);
        magnitude += term.abs();
    }
    // R is in kJ/(kg K): ρRT comes out in kPa.
    let rt = R * t * 1e-3;
    IsothermPoint {
        p: rho * rt * d_phi,
        slope: rt * slope,
        round_off: rho * rt * magnitude * f64::EPSILON,
    }
}
