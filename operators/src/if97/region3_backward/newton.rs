//! A damped Newton iteration for two equations in two unknowns, used to
//! refine backward-equation estimates on the forward equations.
//!
//! The caller supplies the residuals already scaled to be dimensionless
//! (relative to the target values) and their Jacobian; the iteration limits
//! each step, keeps the unknowns within bounds and halves a step that does not
//! reduce the residual, so it cannot wander far from the region it starts in.

/// Scaled residuals r and their Jacobian ∂r_i/∂x_j at one point.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Linearised {
    pub r: [f64; 2],
    pub jacobian: [[f64; 2]; 2],
}

/// Where the unknowns may go.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// Lower bounds of the unknowns.
    pub lo: [f64; 2],
    /// Upper bounds of the unknowns.
    pub hi: [f64; 2],
    /// Largest step of each unknown, relative to its current value.
    pub max_rel_step: [f64; 2],
}

/// Largest scaled residual accepted as a solution: the forward equation then
/// reproduces its targets to 1e-12 relative.
pub(crate) const TOLERANCE: f64 = 1e-12;

/// A Newton step this small (relative to each unknown) at an accepted
/// residual means the iteration has reached round-off.
const NEGLIGIBLE_STEP: f64 = 1e-10;

const MAX_ITERATIONS: usize = 50;
const MAX_HALVINGS: usize = 16;

/// The larger |r_i|; NaN if either is NaN (`f64::max` would hide it).
fn norm(r: [f64; 2]) -> f64 {
    let (a, b) = (r[0].abs(), r[1].abs());
    if a >= b {
        a
    } else if b > a {
        b
    } else {
        f64::NAN
    }
}

/// The Newton step −J⁻¹r by Cramer's rule; `None` if J is singular.
fn newton_step(lin: &Linearised) -> Option<[f64; 2]> {
    let [[a, b], [c, d]] = lin.jacobian;
    let det = a * d - b * c;
    let step = [
        (b * lin.r[1] - d * lin.r[0]) / det,
        (c * lin.r[0] - a * lin.r[1]) / det,
    ];
    (det != 0.0 && step.iter().all(|v| v.is_finite())).then_some(step)
}

/// Shortens the step, keeping its direction, so that no unknown moves by
/// more than its allowed fraction.
fn limit_step(x: [f64; 2], step: [f64; 2], limits: &Limits) -> [f64; 2] {
    let mut scale: f64 = 1.0;
    for i in 0..2 {
        let allowed = limits.max_rel_step[i] * x[i].abs();
        if step[i].abs() > allowed {
            scale = scale.min(allowed / step[i].abs());
        }
    }
    [step[0] * scale, step[1] * scale]
}

fn clamp(x: [f64; 2], limits: &Limits) -> [f64; 2] {
    [
        x[0].clamp(limits.lo[0], limits.hi[0]),
        x[1].clamp(limits.lo[1], limits.hi[1]),
    ]
}

/// Solves r(x) = 0 from `start`. `eval` returns `None` where the equations
/// cannot be evaluated. Returns `None` if the iteration does not reach
/// [`TOLERANCE`].
pub(crate) fn solve(
    start: [f64; 2],
    limits: &Limits,
    mut eval: impl FnMut([f64; 2]) -> Option<Linearised>,
) -> Option<[f64; 2]> {
    let finite = |lin: &Linearised| norm(lin.r).is_finite();
    let mut x = clamp(start, limits);
    let mut lin = eval(x).filter(finite)?;
    for _ in 0..MAX_ITERATIONS {
        let current = norm(lin.r);
        if current == 0.0 {
            return Some(x);
        }
        let step = limit_step(x, newton_step(&lin)?, limits);
        let negligible = (0..2).all(|i| step[i].abs() <= NEGLIGIBLE_STEP * x[i].abs());
        if current <= TOLERANCE && negligible {
            // The last correction is below the accuracy already reached.
            return Some(clamp([x[0] + step[0], x[1] + step[1]], limits));
        }
        let mut lambda = 1.0;
        let mut accepted = None;
        for _ in 0..MAX_HALVINGS {
            let trial = clamp([x[0] + lambda * step[0], x[1] + lambda * step[1]], limits);
            if let Some(next) = eval(trial).filter(finite)
                && norm(next.r) < current
            {
                accepted = Some((trial, next));
                break;
            }
            lambda *= 0.5;
        }
        match accepted {
            Some((trial, next)) => (x, lin) = (trial, next),
            // No step reduces the residual: round-off floor or a dead end.
            None => break,
        }
    }
    (norm(lin.r) <= TOLERANCE).then_some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    const WIDE: Limits = Limits {
        lo: [-1e3, -1e3],
        hi: [1e3, 1e3],
        max_rel_step: [10.0, 10.0],
    };

    fn circle_line(x: [f64; 2]) -> Option<Linearised> {
        // x² + y² = 4 and x = y: the root (√2, √2).
        Some(Linearised {
            r: [(x[0] * x[0] + x[1] * x[1] - 4.0) / 4.0, x[0] - x[1]],
            jacobian: [[x[0] / 2.0, x[1] / 2.0], [1.0, -1.0]],
        })
    }

    #[test]
    fn finds_a_root() {
        let root = solve([3.0, 1.0], &WIDE, circle_line).expect("converges");
        assert!((root[0] - 2f64.sqrt()).abs() < 1e-12 && (root[1] - 2f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn respects_bounds_and_reports_failure() {
        // The root lies outside the bounds: no solution, no panic.
        let tight = Limits {
            lo: [2.0, 2.0],
            hi: [3.0, 3.0],
            max_rel_step: [0.5, 0.5],
        };
        assert_eq!(solve([2.5, 2.5], &tight, circle_line), None);
        // Equations that cannot be evaluated.
        assert_eq!(solve([1.0, 1.0], &WIDE, |_| None), None);
        let nan = |_| {
            Some(Linearised {
                r: [f64::NAN, 0.0],
                jacobian: [[1.0, 0.0], [0.0, 1.0]],
            })
        };
        assert_eq!(solve([1.0, 1.0], &WIDE, nan), None);
        // A singular Jacobian.
        let flat = |_| {
            Some(Linearised {
                r: [1.0, 1.0],
                jacobian: [[0.0, 0.0], [0.0, 0.0]],
            })
        };
        assert_eq!(solve([1.0, 1.0], &WIDE, flat), None);
    }
}
