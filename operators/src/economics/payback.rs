//! Simple and discounted payback period.

use super::npv::check_rate;
use crate::analysis::error::{Result, finite, positive};

/// Payback period in periods (years for yearly cash flows): the time at
/// which the cumulative cash flow — discounted at `rate` when one is given,
/// undiscounted otherwise — becomes non-negative **and stays so** to the end
/// of the series. `None` when it never does.
///
/// `cashflows[0]` is at t = 0 (undiscounted), `cashflows[t]` at the end of
/// period t (the convention of [`crate::economics`]). Within the period in
/// which the cumulative sum crosses zero, cash is assumed to arrive evenly,
/// so the result is interpolated linearly: payback = (t − 1) + |Cₜ₋₁| / cfₜ,
/// where Cₜ₋₁ is the (negative) cumulative sum before period t and cfₜ the
/// (discounted) cash flow of period t. Taking the *last* crossing makes a
/// later outlay (an overhaul, decommissioning) that pushes the cumulative
/// sum below zero again count against the payback; for an investment
/// followed by returns it is the usual first crossing.
///
/// A series whose cumulative sum is never negative pays back at 0.
///
/// Errors: a NaN or infinite cash flow, a rate ≤ −1 or not finite, or a
/// discounted sum that overflows.
pub fn payback(cashflows: &[f64], rate: Option<f64>) -> Result<Option<f64>> {
    let factor = match rate {
        Some(rate) => 1.0 / (1.0 + check_rate(rate)?),
        None => 1.0,
    };
    let mut discount = 1.0;
    let mut cumulative = 0.0;
    // (period index of the last negative cumulative sum, that sum)
    let mut last_negative: Option<(usize, f64)> = None;
    let mut flows = Vec::with_capacity(cashflows.len());
    for (t, &cf) in cashflows.iter().enumerate() {
        let present = finite("cash flow", cf)? * discount;
        cumulative = finite(
            "cumulative discounted cash flow (overflow)",
            cumulative + present,
        )?;
        flows.push(present);
        if cumulative < 0.0 {
            last_negative = Some((t, cumulative));
        }
        discount *= factor;
    }
    let Some((t, deficit)) = last_negative else {
        return Ok(Some(0.0));
    };
    // The next period's flow lifts the sum to ≥ 0, so it is positive.
    Ok(flows
        .get(t + 1)
        .map(|&next| t as f64 + (-deficit / next).min(1.0)))
}

/// Simple payback of a one-off investment returning the same saving every
/// period: investment / saving (the seed design's "Initial_Cost /
/// Annual_Savings"). `None` when the saving is zero or negative (it never
/// pays back); an investment of zero pays back at once.
///
/// Errors: a NaN or infinite input, or a negative investment.
pub fn simple_payback(investment: f64, saving_per_period: f64) -> Result<Option<f64>> {
    let investment = crate::analysis::error::non_negative("investment", investment)?;
    let saving = finite("saving per period", saving_per_period)?;
    if investment == 0.0 {
        return Ok(Some(0.0));
    }
    if saving <= 0.0 {
        return Ok(None);
    }
    Ok(Some(finite(
        "payback (overflow)",
        investment / positive("saving per period", saving)?,
    )?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(a: Option<f64>, b: f64, tol: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() <= tol)
    }

    #[test]
    fn simple_payback_interpolates_within_the_year() {
        assert!(close(
            payback(&[-1000.0, 500.0, 500.0, 500.0], None).unwrap(),
            2.0,
            1e-12
        ));
        assert!(close(
            payback(&[-1000.0, 300.0, 400.0, 500.0], None).unwrap(),
            2.6,
            1e-12
        ));
        assert!(close(simple_payback(1000.0, 400.0).unwrap(), 2.5, 1e-12));
    }

    /// A published discounted-payback worked example (gaodun.com/q/500s5h):
    /// −200 000 then 60 000, 80 000, 70 000, 60 000, 50 000 at a 12 % cost of
    /// capital; the cumulative discounted cash flow is −32 828.44 after year
    /// 3 and year 4 adds 38 131.08, so the discounted payback is
    /// 3 + 32 828.44 / 38 131.08 = 3.86 years. Undiscounted it is
    /// 2 + 60 000 / 70 000 = 2.86 years.
    #[test]
    fn discounted_payback_is_later() {
        let flows = [-200_000.0, 60_000.0, 80_000.0, 70_000.0, 60_000.0, 50_000.0];
        assert!(close(
            payback(&flows, None).unwrap(),
            2.0 + 60.0 / 70.0,
            1e-12
        ));
        let discounted = payback(&flows, Some(0.12)).unwrap();
        assert!(
            close(discounted, 3.0 + 32_828.44 / 38_131.08, 1e-6),
            "{discounted:?}"
        );
    }

    #[test]
    fn never_paying_back_is_none() {
        assert_eq!(payback(&[-1000.0, 300.0, 300.0], None).unwrap(), None);
        // Pays back undiscounted but not at 10 %.
        let flows = [-1000.0, 300.0, 400.0, 310.0];
        assert!(payback(&flows, None).unwrap().is_some());
        assert_eq!(payback(&flows, Some(0.10)).unwrap(), None);
        assert_eq!(simple_payback(1000.0, 0.0).unwrap(), None);
        assert_eq!(simple_payback(1000.0, -5.0).unwrap(), None);
    }

    #[test]
    fn a_later_outlay_counts() {
        // Recovered after 1 year, then an overhaul sets it back; recovered again in year 4.
        let flows = [-100.0, 150.0, -200.0, 100.0, 100.0];
        assert!(close(payback(&flows, None).unwrap(), 3.5, 1e-12));
    }

    #[test]
    fn nothing_to_recover() {
        assert_eq!(payback(&[0.0, 10.0], None).unwrap(), Some(0.0));
        assert_eq!(payback(&[], None).unwrap(), Some(0.0));
        assert_eq!(simple_payback(0.0, 10.0).unwrap(), Some(0.0));
    }

    #[test]
    fn errors() {
        assert!(payback(&[-1.0, f64::NAN], None).is_err());
        assert!(payback(&[-1.0, 2.0], Some(-1.0)).is_err());
        assert!(payback(&[-1.0, 2.0], Some(f64::INFINITY)).is_err());
        assert!(simple_payback(-1.0, 1.0).is_err());
        assert!(simple_payback(1.0, f64::NAN).is_err());
    }

    proptest! {
        #[test]
        fn never_panics(flows in prop::collection::vec(any::<f64>(), 0..20), rate in prop::option::of(any::<f64>()), a: f64, b: f64) {
            if let Ok(Some(years)) = payback(&flows, rate) {
                prop_assert!(years.is_finite() && years >= 0.0 && years <= flows.len() as f64);
            }
            let _ = simple_payback(a, b);
        }
    }
}
