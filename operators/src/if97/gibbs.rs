//! Properties of the vapour regions 2 and 5 (and the metastable vapour)
//! from their dimensionless Gibbs free energy γ = g/(RT) = γ° + γʳ, the
//! ideal-gas part γ° = ln π + Σ n°·τ^J° plus a residual part γʳ, by the
//! relations of IAPWS R7-97(2012) table 12 (region 2), which table 39
//! repeats for region 5.
//!
//! Units: p [MPa], T [K], as in [`Props`].

use super::constants::R;
use super::props::{Caloric, Props};

/// The derivatives of γ that table 12 combines, each multiplied by the
/// powers of π and τ of its derivatives. The ideal part's π-derivatives
/// are those of ln π (π·γ°_π = 1, π²·γ°_ππ = −1) and are built into
/// [`props`]; the others are given.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reduced {
    /// γ = γ° + γʳ, including ln π.
    pub gamma: f64,
    /// π·γʳ_π.
    pub pi_gr_pi: f64,
    /// π²·γʳ_ππ.
    pub pi2_gr_pipi: f64,
    /// τ·π·γʳ_πτ.
    pub tau_pi_gr_pitau: f64,
    /// τ·(γ°_τ + γʳ_τ).
    pub tau_g_tau: f64,
    /// τ²·(γ°_ττ + γʳ_ττ).
    pub tau2_g_tautau: f64,
}

/// All properties at (p, T) from the reduced derivatives of γ (table 12):
/// v = (RT/p)·π(γ°_π + γʳ_π), u = RT[τ(γ°_τ + γʳ_τ) − π(γ°_π + γʳ_π)],
/// h = RT·τ(γ°_τ + γʳ_τ), s = R[τ(γ°_τ + γʳ_τ) − γ], cp = −R·τ²(γ°_ττ + γʳ_ττ),
/// cv = cp − R(1 + πγʳ_π − τπγʳ_πτ)²/(1 − π²γʳ_ππ) and
/// w² = RT(1 + πγʳ_π)²/[(1 − π²γʳ_ππ) + (1 + πγʳ_π − τπγʳ_πτ)²/(τ²(γ°_ττ + γʳ_ττ))].
pub(crate) fn props(p: f64, t: f64, g: &Reduced) -> Props {
    let rt = R * t;
    let compressibility = 1.0 + g.pi_gr_pi;
    let coupling = 1.0 + g.pi_gr_pi - g.tau_pi_gr_pitau;
    // R·T is in kJ/kg; w in m/s needs J/kg, hence the factor 1000.
    let w2 = 1000.0 * rt * compressibility * compressibility
        / ((1.0 - g.pi2_gr_pipi) + coupling * coupling / g.tau2_g_tautau);
    Props {
        p,
        t,
        // R·T/p is in kJ/(kg MPa) = 10⁻³ m³/kg.
        v: rt / p * compressibility / 1000.0,
        u: rt * (g.tau_g_tau - compressibility),
        h: rt * g.tau_g_tau,
        s: R * (g.tau_g_tau - g.gamma),
        cp: -R * g.tau2_g_tautau,
        cv: R * (-g.tau2_g_tautau - coupling * coupling / (1.0 - g.pi2_gr_pipi)),
        w: w2.sqrt(),
    }
}

/// h, s and their derivatives for Newton iterations in (p, T), from the
/// same relations: with πγ_π = 1 + πγʳ_π and πτγ_πτ = τπγʳ_πτ (the ideal
/// part has no cross term), ∂h/∂p = (RT/p)·τπγʳ_πτ and
/// ∂s/∂p = −(R/p)(1 + πγʳ_π − τπγʳ_πτ).
#[inline(always)]
pub(crate) fn caloric(p: f64, t: f64, g: &Reduced) -> Caloric {
    let rt = R * t;
    Caloric {
        h: rt * g.tau_g_tau,
        s: R * (g.tau_g_tau - g.gamma),
        cp: -R * g.tau2_g_tautau,
        dh_dp: rt / p * g.tau_pi_gr_pitau,
        ds_dp: -R / p * (1.0 + g.pi_gr_pi - g.tau_pi_gr_pitau),
    }
}
