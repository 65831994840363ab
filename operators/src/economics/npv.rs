//! Net present value of a series of cash flows.

use crate::analysis::error::{CalcError, Result, finite};

/// Net present value at `rate` per period:
///
/// NPV = Σₜ CFₜ / (1 + r)ᵗ, t = 0 … n,
///
/// with `cashflows[0]` at t = 0, **not discounted** (the convention of the
/// module, [`crate::economics`]; the seed design's
/// `Σ_{t=1..n} CF_t/(1+r)^t − Investment` is the same thing with the
/// investment as CF₀). `rate` is a fraction (0.08 = 8 %) and must be > −1,
/// where the discount factor 1/(1 + r) is positive and finite. An empty
/// series is worth 0.
///
/// Errors: a rate ≤ −1, a NaN or infinite rate or cash flow, or a result
/// that overflows (r close to −1 over many periods).
pub fn npv(rate: f64, cashflows: &[f64]) -> Result<f64> {
    let rate = check_rate(rate)?;
    for &cf in cashflows {
        finite("cash flow", cf)?;
    }
    let x = 1.0 / (1.0 + rate);
    // Horner's scheme in the discount factor x = 1/(1 + r).
    let value = cashflows.iter().rev().fold(0.0, |acc, &cf| acc * x + cf);
    finite("net present value (overflow)", value)
}

/// The rate if it is finite and > −1 (a discount factor 1/(1 + r) in (0, ∞)).
pub(crate) fn check_rate(rate: f64) -> Result<f64> {
    let rate = finite("discount rate", rate)?;
    if rate > -1.0 {
        Ok(rate)
    } else {
        Err(CalcError::OutOfRange {
            name: "discount rate",
            value: rate,
            expected: "greater than -1 (-100 %)",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    /// Adobe FormCalc reference, NPV(0.10, 500, 1500, 4000, 10000) =
    /// 11529.60863329007. FormCalc (like spreadsheets) discounts its first
    /// value by one period, so in our convention the series starts with 0 now.
    #[test]
    fn formcalc_reference_example() {
        let value = npv(0.10, &[0.0, 500.0, 1500.0, 4000.0, 10000.0]).unwrap();
        assert!(close(value, 11_529.608_633_290_07, 1e-8), "{value}");
        // FormCalc: NPV(0.065, 5000) = 4694.83568075117.
        assert!(close(
            npv(0.065, &[0.0, 5000.0]).unwrap(),
            4_694.835_680_751_17,
            1e-8
        ));
    }

    /// Spread (MESCIUS) function reference: NPV(6.5 %, −10000, 3000, 3400,
    /// 7700) = 2055.38, again with the first value one period out.
    #[test]
    fn spread_reference_example() {
        let value = npv(0.065, &[0.0, -10_000.0, 3000.0, 3400.0, 7700.0]).unwrap();
        assert!(close(value, 2055.38, 0.005), "{value}");
    }

    #[test]
    fn the_first_cash_flow_is_not_discounted() {
        assert_eq!(npv(0.5, &[-100.0]).unwrap(), -100.0);
        assert!(close(npv(0.1, &[-100.0, 110.0]).unwrap(), 0.0, 1e-12));
        assert_eq!(npv(0.1, &[]).unwrap(), 0.0);
    }

    #[test]
    fn negative_rates_above_minus_one_are_allowed() {
        // At r = −50 % a cash flow one period out is worth double.
        assert!(close(npv(-0.5, &[0.0, 100.0]).unwrap(), 200.0, 1e-12));
    }

    #[test]
    fn bad_inputs_are_errors() {
        assert!(npv(-1.0, &[1.0]).is_err());
        assert!(npv(-2.0, &[1.0]).is_err());
        assert!(npv(f64::NAN, &[1.0]).is_err());
        assert!(npv(0.1, &[1.0, f64::INFINITY]).is_err());
        assert!(
            npv(-0.999_999_999, &[0.0; 40].map(|_| 1e300)).is_err(),
            "overflow is reported"
        );
    }

    proptest! {
        #[test]
        fn never_panics(rate: f64, cashflows in prop::collection::vec(any::<f64>(), 0..20)) {
            if let Ok(value) = npv(rate, &cashflows) {
                prop_assert!(value.is_finite());
            }
        }
    }
}
