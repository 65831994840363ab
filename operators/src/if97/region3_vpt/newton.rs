//! Density from pressure and temperature on the region-3 Helmholtz
//! equation: a Newton iteration kept inside a shrinking bracket, so that it
//! converges to the root on the intended side of the phase boundary even
//! where (∂p/∂ρ)_T vanishes near the critical point.

use crate::if97::constants::RHOC;
use crate::if97::region3::isotherm_point;

/// Which root of p(ρ, T) = p is wanted.
///
/// Below the critical temperature the isotherm of the region-3 equation has
/// a van der Waals loop: a stable liquid branch above its liquid spinodal,
/// a stable vapour branch below its vapour spinodal, and an unstable part
/// between them where (∂p/∂ρ)_T < 0. Both spinodals straddle the critical
/// density, so ρ > ρc with (∂p/∂ρ)_T > 0 means "on the liquid branch" and
/// ρ < ρc with (∂p/∂ρ)_T > 0 "on the vapour branch".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Branch {
    /// T < Tc and p ≥ p_sat(T): the root on the liquid branch, ρ ≥ ρ'.
    Liquid,
    /// T < Tc and p ≤ p_sat(T): the root on the vapour branch, ρ ≤ ρ''.
    Vapour,
    /// T ≥ Tc: the isotherm is monotonic and has one root.
    Supercritical,
}

/// Most iterations. A bisection alone halves the bracket each time and
/// reaches round-off from any bracket within about 60 steps; Newton steps
/// from the backward estimate usually finish in three or four.
const MAX_ITERATIONS: usize = 200;
/// Most bracket-widening steps: each doubles the logarithmic step.
const MAX_WIDENING: usize = 24;
/// Pressure residual accepted as converged, relative, unless the rounding
/// error of the forward pressure is larger; then a few times that.
const P_TOLERANCE: f64 = 1e-14;
/// How many rounding-error bounds of p a converged residual may reach.
const ROUND_OFF_FACTOR: f64 = 4.0;
/// Bracket width or step accepted as converged, relative to ρ.
const RHO_TOLERANCE: f64 = 1e-15;

/// Whether a density lies above the wanted root. For each branch this is
/// false below the root and true above it, so it can steer a bisection.
fn above_root(branch: Branch, rho: f64, p: f64, slope: f64, p_target: f64) -> bool {
    match branch {
        // Below the liquid branch every density counts as below the root.
        Branch::Liquid => rho > RHOC && slope > 0.0 && p > p_target,
        // Above the vapour branch every density counts as above the root.
        Branch::Vapour => !(rho < RHOC && slope > 0.0 && p < p_target),
        Branch::Supercritical => p > p_target,
    }
}

/// Whether a density lies on the branch where the root is sought.
fn on_branch(branch: Branch, rho: f64, slope: f64) -> bool {
    match branch {
        Branch::Liquid => rho > RHOC && slope > 0.0,
        Branch::Vapour => rho < RHOC && slope > 0.0,
        Branch::Supercritical => true,
    }
}

/// A starting density on the branch's side of ρc, from an estimate that
/// may be off the branch or not finite.
fn start(branch: Branch, guess: f64) -> f64 {
    let fallback = match branch {
        Branch::Liquid => 1.5 * RHOC,
        Branch::Vapour => 0.5 * RHOC,
        Branch::Supercritical => RHOC,
    };
    let usable = guess.is_finite()
        && guess > 0.0
        && match branch {
            Branch::Liquid => guess > RHOC,
            Branch::Vapour => guess < RHOC,
            Branch::Supercritical => true,
        };
    if usable { guess } else { fallback }
}

/// Densities `(lo, hi)` with the root between them: `lo` below it, `hi`
/// above it. ρc bounds the liquid branch from below and the vapour branch
/// from above; the other end is found by widening geometric steps from the
/// starting density.
fn bracket(branch: Branch, t: f64, p_target: f64, rho0: f64) -> Option<(f64, f64)> {
    let is_above = |rho: f64| {
        let at = isotherm_point(rho, t);
        above_root(branch, rho, at.p, at.slope, p_target)
    };
    let (mut lo, mut hi) = match branch {
        Branch::Liquid => (RHOC, f64::NAN),
        Branch::Vapour => (f64::NAN, RHOC),
        Branch::Supercritical => (f64::NAN, f64::NAN),
    };
    if is_above(rho0) {
        hi = rho0;
    } else {
        lo = rho0;
    }
    let mut step = 0.01_f64;
    for _ in 0..MAX_WIDENING {
        if lo.is_finite() && hi.is_finite() {
            return Some((lo, hi));
        }
        if lo.is_nan() {
            let rho = hi * (-step).exp();
            if is_above(rho) { hi = rho } else { lo = rho }
        } else {
            let rho = lo * step.exp();
            if is_above(rho) { hi = rho } else { lo = rho }
        }
        step *= 2.0;
    }
    (lo.is_finite() && hi.is_finite()).then_some((lo, hi))
}

/// The density [kg/m³] at which the region-3 equation gives `p_target`
/// [MPa] at `t` [K] on `branch`, starting from `guess`; `None` if no
/// bracket or no convergence is found.
///
/// Every iterate shrinks the bracket. A Newton step is taken when the
/// iterate is on the branch, the step lands strictly inside the bracket and
/// it is at most half the step before; otherwise the bracket is bisected,
/// which bounds the work where (∂p/∂ρ)_T is nearly zero.
///
/// Should the branch never reach `p_target` (just below Tc, where the loop
/// of the isotherm is lower than the pressure asked for), the bracket
/// closes on the end of the branch, its spinodal, and that is returned.
pub(super) fn density(branch: Branch, t: f64, p_target: f64, guess: f64) -> Option<f64> {
    if !(t.is_finite() && t > 0.0 && p_target.is_finite() && p_target > 0.0) {
        return None;
    }
    let rho0 = start(branch, guess);
    let (mut lo, mut hi) = bracket(branch, t, p_target, rho0)?;
    // The start is one end of the bracket: the first step moves inward from it.
    let mut rho = rho0;
    let mut last_step = hi - lo;
    for _ in 0..MAX_ITERATIONS {
        let at = isotherm_point(rho, t);
        let residual = at.p - p_target;
        let on = on_branch(branch, rho, at.slope);
        let newton = rho - residual / at.slope;
        let tolerance = (P_TOLERANCE * p_target).max(ROUND_OFF_FACTOR * at.round_off);
        if on && residual.abs() <= tolerance {
            // Converged to the rounding of p; the last Newton step is free.
            return Some(if newton.is_finite() && newton >= lo && newton <= hi {
                newton
            } else {
                rho
            });
        }
        if above_root(branch, rho, at.p, at.slope, p_target) {
            hi = rho;
        } else {
            lo = rho;
        }
        let next = if on && newton > lo && newton < hi && (newton - rho).abs() <= 0.5 * last_step {
            newton
        } else {
            0.5 * (lo + hi)
        };
        last_step = (next - rho).abs();
        if last_step <= RHO_TOLERANCE * rho || hi - lo <= RHO_TOLERANCE * hi {
            return Some(next);
        }
        rho = next;
    }
    None
}
