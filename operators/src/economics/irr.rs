//! Internal rate of return: every rate at which the net present value is zero.
//!
//! With the discount factor x = 1/(1 + r), the NPV of the module's
//! convention is a polynomial, P(x) = Σₜ CFₜ xᵗ, and the rates r > −1 are
//! exactly the x > 0. So the IRRs are the positive real roots of P, and a
//! cash-flow series may have none, one, or several (Descartes' rule of signs
//! bounds their number by the sign changes of the series). All of them are
//! found, none is silently dropped, and [`Irr`] says how many there were.
//!
//! Root isolation is exact in exact arithmetic: for k at a sign change of
//! the coefficients, the derivative of x⁻ᵏP(x) is x⁻ᵏ⁻¹R(x) with
//! R(x) = Σ (t − k) CFₜ xᵗ, which has one sign change fewer. By Rolle's
//! theorem the positive roots of R separate those of P, so recursing on R
//! until one sign change is left (exactly one positive root) gives intervals
//! on each of which P is monotone and has at most one root, found by
//! bisection. A critical point where P vanishes (NPV only touches zero) is a
//! root of even multiplicity and is reported too.

use crate::analysis::error::{CalcError, Result, finite};

/// The internal rates of return of a cash-flow series.
#[derive(Clone, Debug, PartialEq)]
pub enum Irr {
    /// No rate r > −1 makes the NPV zero (e.g. every cash flow positive).
    NoRoot,
    /// Exactly one rate, the usual case of an investment followed by returns.
    Unique(f64),
    /// Several rates, in increasing order: the IRR is ambiguous and NPV at a
    /// chosen discount rate should decide (e.g. −1600, +10000, −10000 has
    /// IRRs of 25 % and 400 %).
    Multiple(Vec<f64>),
}

impl Irr {
    /// Every rate found, in increasing order.
    pub fn roots(&self) -> Vec<f64> {
        match self {
            Irr::NoRoot => Vec::new(),
            Irr::Unique(r) => vec![*r],
            Irr::Multiple(roots) => roots.clone(),
        }
    }

    /// The rate when there is exactly one.
    pub fn unique(&self) -> Option<f64> {
        match self {
            Irr::Unique(r) => Some(*r),
            _ => None,
        }
    }
}

/// Most sign changes accepted. Each one adds a level of root isolation;
/// real projects have a handful, and this bounds the work on hostile input.
pub const MAX_SIGN_CHANGES: usize = 64;

/// Every internal rate of return r > −1 of `cashflows` (period-0 first, not
/// discounted; see [`crate::economics`]), each a fraction per period.
///
/// Errors: a NaN or infinite cash flow; a series with no non-zero cash flow
/// (the NPV is zero at every rate, so no IRR is defined); more than
/// [`MAX_SIGN_CHANGES`] sign changes.
pub fn irr(cashflows: &[f64]) -> Result<Irr> {
    for &cf in cashflows {
        finite("cash flow", cf)?;
    }
    let largest = cashflows.iter().fold(0.0_f64, |m, cf| m.max(cf.abs()));
    if largest == 0.0 {
        return Err(CalcError::Inconsistent(
            "every cash flow is zero: the NPV is zero at every rate, so no IRR is defined".into(),
        ));
    }
    // Scaled to at most 1 in magnitude so no evaluation overflows; zeros at
    // either end change no positive root (a factor xᵏ, or a lower degree).
    let scaled: Vec<f64> = cashflows.iter().map(|cf| cf / largest).collect();
    let first = scaled.iter().position(|&c| c != 0.0).unwrap_or(0);
    let last = scaled.iter().rposition(|&c| c != 0.0).unwrap_or(0);
    let poly = scaled.get(first..=last).unwrap_or(&[]);
    let changes = sign_changes(poly);
    if changes > MAX_SIGN_CHANGES {
        return Err(CalcError::OutOfRange {
            name: "sign changes of the cash flows",
            value: changes as f64,
            expected: "at most 64",
        });
    }
    // A root x > 2⁵³ would be a rate within 1e-16 of −1, which f64 cannot
    // tell from −1 itself; only such unrepresentable rates are left out.
    let mut rates: Vec<f64> = positive_roots(poly)
        .into_iter()
        .map(|x| 1.0 / x - 1.0)
        .filter(|r| r.is_finite() && *r > -1.0)
        .collect();
    rates.sort_by(f64::total_cmp);
    // Roots closer than this are one root split by rounding (a tangent root
    // seen from both sides).
    rates.dedup_by(|a, b| (*a - *b).abs() <= 1e-9 * (1.0 + b.abs()));
    Ok(match rates.as_slice() {
        [] => Irr::NoRoot,
        [r] => Irr::Unique(*r),
        _ => Irr::Multiple(rates.clone()),
    })
}

/// Sign changes in a coefficient sequence, zeros skipped.
fn sign_changes(coefficients: &[f64]) -> usize {
    let mut changes = 0;
    let mut previous = 0.0_f64;
    for &c in coefficients.iter().filter(|c| **c != 0.0) {
        if previous != 0.0 && (c > 0.0) != (previous > 0.0) {
            changes += 1;
        }
        previous = c;
    }
    changes
}

/// The sign of a polynomial at x ≥ 0 and whether it is zero within rounding.
#[derive(Clone, Copy, PartialEq)]
enum Sign {
    Negative,
    Zero,
    Positive,
}

/// Sign of P(x) = Σ aᵢ xⁱ without overflow: for x > 1 the polynomial is
/// evaluated as x⁻ⁿP(x) in y = 1/x, which has the same sign. "Zero" means
/// within a few rounding errors of the terms' magnitude.
fn sign_at(a: &[f64], x: f64) -> Sign {
    let (value, scale) = if x <= 1.0 {
        a.iter()
            .rev()
            .fold((0.0, 0.0), |(v, s), &c| (v * x + c, s * x + c.abs()))
    } else {
        let y = 1.0 / x;
        a.iter()
            .fold((0.0, 0.0), |(v, s), &c| (v * y + c, s * y + c.abs()))
    };
    let tolerance = 8.0 * (a.len() as f64) * f64::EPSILON * scale;
    if value.abs() <= tolerance {
        Sign::Zero
    } else if value > 0.0 {
        Sign::Positive
    } else {
        Sign::Negative
    }
}

/// The strict sign of P(x) (zero counted by the sign of the computed value),
/// for bisection.
fn strictly_positive_at(a: &[f64], x: f64) -> bool {
    let value = if x <= 1.0 {
        a.iter().rev().fold(0.0, |v, &c| v * x + c)
    } else {
        let y = 1.0 / x;
        a.iter().fold(0.0, |v, &c| v * y + c)
    };
    value > 0.0
}

/// An upper bound of the positive roots (Cauchy): 1 + max |aᵢ/aₙ|.
fn root_bound(a: &[f64]) -> f64 {
    let lead = a.last().copied().unwrap_or(1.0).abs();
    let largest = a.iter().rev().skip(1).fold(0.0_f64, |m, c| m.max(c.abs()));
    let bound = 1.0 + largest / lead;
    if bound.is_finite() { bound } else { f64::MAX }
}

/// The positive roots of P, whose first and last coefficients are non-zero.
fn positive_roots(a: &[f64]) -> Vec<f64> {
    let changes = sign_changes(a);
    if changes == 0 || a.len() < 2 {
        return Vec::new();
    }
    let (a0, an) = (
        a.first().copied().unwrap_or(0.0),
        a.last().copied().unwrap_or(0.0),
    );
    let bound = root_bound(a);
    if changes == 1 {
        // Exactly one positive root; P(0) = a₀ and P(bound) have opposite signs.
        return vec![bisect(a, 0.0, bound, a0 > 0.0)];
    }
    // k: the first coefficient whose sign differs from a₀'s.
    let k = a
        .iter()
        .position(|&c| c != 0.0 && (c > 0.0) != (a0 > 0.0))
        .unwrap_or(1);
    let r: Vec<f64> = a
        .iter()
        .enumerate()
        .map(|(t, &c)| (t as f64 - k as f64) * c)
        .collect();
    let critical = positive_roots(&r);

    let mut roots = Vec::new();
    // Interval ends: 0, the critical points below the bound, then the bound.
    let mut ends: Vec<(f64, Sign)> = vec![(
        0.0,
        if a0 > 0.0 {
            Sign::Positive
        } else {
            Sign::Negative
        },
    )];
    for &c in critical.iter().filter(|&&c| c > 0.0 && c < bound) {
        let sign = sign_at(a, c);
        if sign == Sign::Zero {
            roots.push(c);
        }
        ends.push((c, sign));
    }
    ends.push((
        bound,
        if an > 0.0 {
            Sign::Positive
        } else {
            Sign::Negative
        },
    ));
    for pair in ends.windows(2) {
        if let [(lo, s_lo), (hi, s_hi)] = pair {
            let opposite = matches!(
                (s_lo, s_hi),
                (Sign::Positive, Sign::Negative) | (Sign::Negative, Sign::Positive)
            );
            if opposite {
                roots.push(bisect(a, *lo, *hi, *s_lo == Sign::Positive));
            }
        }
    }
    roots.sort_by(f64::total_cmp);
    roots
}

/// Bisection for the single root of a monotone stretch of P on (lo, hi),
/// where P(lo) is positive iff `lo_positive`. Stops at the resolution of f64.
fn bisect(a: &[f64], mut lo: f64, mut hi: f64, lo_positive: bool) -> f64 {
    // Enough halvings to go from f64::MAX to the smallest normal number and
    // then 53 bits of mantissa.
    for _ in 0..2200 {
        let mid = lo + 0.5 * (hi - lo);
        if mid <= lo || mid >= hi {
            break;
        }
        if strictly_positive_at(a, mid) == lo_positive {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo + 0.5 * (hi - lo)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::economics::npv;
    use proptest::prelude::*;

    fn assert_roots(cashflows: &[f64], expected: &[f64], tol: f64) {
        let roots = irr(cashflows).unwrap().roots();
        assert_eq!(roots.len(), expected.len(), "{cashflows:?}: {roots:?}");
        for (r, e) in roots.iter().zip(expected) {
            assert!((r - e).abs() <= tol, "{cashflows:?}: {r} vs {e}");
        }
    }

    /// The classic non-conventional series (Lorie and Savage's pump problem,
    /// as in Brealey & Myers, *Principles of Corporate Finance*, "multiple
    /// rates of return"): −1600, +10000, −10000 has IRRs 25 % and 400 %.
    #[test]
    fn lorie_savage_two_rates() {
        let result = irr(&[-1600.0, 10_000.0, -10_000.0]).unwrap();
        match result {
            Irr::Multiple(ref roots) => {
                assert_eq!(roots.len(), 2);
                assert!((roots[0] - 0.25).abs() < 1e-12, "{roots:?}");
                assert!((roots[1] - 4.0).abs() < 1e-12, "{roots:?}");
            }
            other => panic!("expected two rates, got {other:?}"),
        }
        assert_eq!(result.unique(), None, "never one of several silently");
    }

    /// Microsoft Excel IRR function reference: −70000 then 12000, 15000,
    /// 18000, 21000, 26000 → 8.7 % after five years, −2.1 % after four,
    /// −44.4 % after two.
    #[test]
    fn excel_reference_examples() {
        let flows = [-70_000.0, 12_000.0, 15_000.0, 18_000.0, 21_000.0, 26_000.0];
        let five = irr(&flows).unwrap().unique().unwrap();
        assert!((five - 0.0866).abs() < 5e-4, "{five}");
        let four = irr(&flows[..5]).unwrap().unique().unwrap();
        assert!((four - (-0.0212)).abs() < 5e-4, "{four}");
        let two = irr(&flows[..3]).unwrap().unique().unwrap();
        assert!((two - (-0.4435)).abs() < 5e-4, "{two}");
        // And the NPV at each is zero.
        for (n, r) in [(6, five), (5, four), (3, two)] {
            assert!(npv(r, &flows[..n]).unwrap().abs() < 1e-6);
        }
    }

    #[test]
    fn simple_cases() {
        assert_roots(&[-100.0, 110.0], &[0.10], 1e-14);
        assert_roots(&[-100.0, 0.0, 121.0], &[0.10], 1e-14);
        assert_roots(&[0.0, 0.0, -100.0, 110.0, 0.0], &[0.10], 1e-14);
        assert_eq!(irr(&[100.0, 50.0]).unwrap(), Irr::NoRoot);
        assert_eq!(irr(&[-100.0, -50.0]).unwrap(), Irr::NoRoot);
        assert_eq!(irr(&[-100.0]).unwrap(), Irr::NoRoot);
        // Returns that never recover the investment: IRR below zero.
        assert_roots(&[-100.0, 50.0], &[-0.5], 1e-14);
    }

    #[test]
    fn two_sign_changes_without_a_root() {
        // −1, +3, −3: NPV = −1 + 3x − 3x² < 0 for every x (discriminant < 0).
        assert_eq!(irr(&[-1.0, 3.0, -3.0]).unwrap(), Irr::NoRoot);
    }

    #[test]
    fn a_tangent_root_is_reported() {
        // (1 − x)² = 1 − 2x + x²: NPV touches zero at x = 1, r = 0.
        assert_roots(&[1.0, -2.0, 1.0], &[0.0], 1e-9);
        // (1 − x)³: a triple root at r = 0.
        assert_roots(&[1.0, -3.0, 3.0, -1.0], &[0.0], 1e-6);
    }

    #[test]
    fn three_rates() {
        // Roots at x = 0.5, 0.8, 1.25 → r = 1.0, 0.25, −0.2:
        // (x − 0.5)(x − 0.8)(x − 1.25) = x³ − 2.55x² + 2.025x − 0.5.
        assert_roots(&[-0.5, 2.025, -2.55, 1.0], &[-0.2, 0.25, 1.0], 1e-12);
    }

    #[test]
    fn extreme_rates_are_found() {
        // r = 1e6: −1 + 1000001 x = 0.
        assert_roots(&[-1.0, 1_000_001.0], &[1e6], 1e-3);
        // r = −0.999: x = 1000.
        assert_roots(&[-1000.0, 1.0], &[-0.999], 1e-12);
    }

    #[test]
    fn errors() {
        assert!(irr(&[]).is_err());
        assert!(irr(&[0.0, 0.0]).is_err());
        assert!(irr(&[-1.0, f64::NAN]).is_err());
        let alternating: Vec<f64> = (0..100)
            .map(|i| if i % 2 == 0 { -1.0 } else { 1.0 })
            .collect();
        assert!(irr(&alternating).is_err());
    }

    proptest! {
        #[test]
        fn never_panics(cashflows in prop::collection::vec(any::<f64>(), 0..24)) {
            let _ = irr(&cashflows);
        }

        /// Every reported rate zeroes the NPV (relative to the flows' size).
        #[test]
        fn every_root_zeroes_the_npv(cashflows in prop::collection::vec(-1e6f64..1e6, 1..12)) {
            if let Ok(result) = irr(&cashflows) {
                for r in result.roots() {
                    let x = 1.0 / (1.0 + r);
                    let scale: f64 = cashflows.iter().enumerate().map(|(t, c)| c.abs() * x.powi(t as i32)).sum();
                    let value = npv(r, &cashflows).unwrap();
                    prop_assert!(value.abs() <= 1e-6 * scale.max(1e-300), "r={r} npv={value} scale={scale}");
                }
            }
        }

        /// A conventional investment (one outflow, then inflows) has exactly
        /// one IRR, by Descartes' rule of signs.
        #[test]
        fn conventional_series_have_one_rate(invest in 1.0f64..1e6, returns in prop::collection::vec(0.0f64..1e6, 1..30)) {
            prop_assume!(returns.iter().any(|&r| r > 0.0));
            let mut flows = vec![-invest];
            flows.extend(returns);
            prop_assert!(matches!(irr(&flows).unwrap(), Irr::Unique(_)));
        }
    }
}
