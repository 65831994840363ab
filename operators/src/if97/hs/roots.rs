//! Bracketed root finding in one variable for the (h, s) solver.

use crate::if97::error::Result;

const MAX_ITERATIONS: usize = 200;

/// The Illinois variant of regula falsi: a root of f between a and b, where
/// f(a) = fa and f(b) = fb have opposite signs. It keeps the root bracketed
/// (so it cannot leave [a, b]) and converges superlinearly. Stops when the
/// bracket or the last step is within `rel_tol` of the root (absolute
/// below 1, for roots near zero).
pub(super) fn illinois(
    mut f: impl FnMut(f64) -> Result<f64>,
    (mut a, mut fa): (f64, f64),
    (mut b, mut fb): (f64, f64),
    rel_tol: f64,
) -> Result<f64> {
    for _ in 0..MAX_ITERATIONS {
        let secant = b - fb * (b - a) / (fb - fa);
        let inside = secant.is_finite() && secant > a.min(b) && secant < a.max(b);
        let c = if inside { secant } else { 0.5 * (a + b) };
        let fc = f(c)?;
        let step = (c - b).abs();
        if fc == 0.0 || fc.is_nan() {
            // A root, or a point the function cannot evaluate: either way
            // the caller checks what it gets.
            return Ok(c);
        }
        if (fc < 0.0) != (fb < 0.0) {
            (a, fa) = (b, fb);
        } else {
            // The same end kept twice: halve its value to pull the next
            // secant towards it.
            fa *= 0.5;
        }
        (b, fb) = (c, fc);
        let scale = rel_tol * b.abs().max(1.0);
        if (b - a).abs() <= scale || step <= 0.1 * scale {
            return Ok(b);
        }
    }
    Ok(b)
}

/// A root of f between a and b, if f changes sign there (either order).
pub(super) fn bracketed(
    mut f: impl FnMut(f64) -> Result<f64>,
    a: f64,
    b: f64,
    rel_tol: f64,
) -> Result<Option<f64>> {
    let (fa, fb) = (f(a)?, f(b)?);
    if fa == 0.0 {
        return Ok(Some(a));
    }
    if fb == 0.0 {
        return Ok(Some(b));
    }
    if !(fa.is_finite() && fb.is_finite()) || (fa < 0.0) == (fb < 0.0) {
        return Ok(None);
    }
    illinois(f, (a, fa), (b, fb), rel_tol).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_roots_to_round_off() {
        let cube = |x: f64| Ok(x * x * x - 2.0);
        let root = bracketed(cube, 0.0, 5.0, 1e-15).unwrap().unwrap();
        assert!((root - 2f64.cbrt()).abs() < 1e-14, "{root}");
        // Reversed bracket and a steep function.
        let steep = |x: f64| Ok((20.0 * (x - 0.3)).exp() - 1.0);
        let root = bracketed(steep, 1.0, -1.0, 1e-15).unwrap().unwrap();
        assert!((root - 0.3).abs() < 1e-14, "{root}");
    }

    #[test]
    fn no_sign_change_is_none() {
        assert_eq!(
            bracketed(|x: f64| Ok(x * x + 1.0), -1.0, 1.0, 1e-12).unwrap(),
            None
        );
        assert_eq!(bracketed(|_| Ok(f64::NAN), -1.0, 1.0, 1e-12).unwrap(), None);
    }
}
