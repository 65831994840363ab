//! Economics of a repair: net present value and payback of an investment
//! that saves the same amount every year (steamflow-operators' `economics`,
//! whose convention is a cash flow at t = 0 undiscounted).

use steamflow_operators::economics;

use crate::finite;

/// Whole years 1 … 100 from a SQL `DOUBLE`.
fn whole_years(years: f64) -> Option<usize> {
    // In 1..=100 and whole, so the conversion is exact.
    (years.fract() == 0.0 && (1.0..=100.0).contains(&years)).then_some(years as usize)
}

/// −investment at t = 0, then `saving` at the end of each of `years` years.
fn annuity(investment: f64, saving: f64, years: usize) -> Vec<f64> {
    let mut cashflows = Vec::with_capacity(years + 1);
    cashflows.push(-investment);
    cashflows.extend(std::iter::repeat_n(saving, years));
    cashflows
}

/// Net present value [currency] of −`investment` [currency] now and
/// `saving_per_year` [currency] at the end of each of `years` [whole years,
/// 1–100] years, discounted at `rate` [per year, a fraction: 0.08 = 8 %,
/// > −1].
pub fn npv_annuity(rate: f64, investment: f64, saving_per_year: f64, years: f64) -> Option<f64> {
    let cashflows = annuity(investment, saving_per_year, whole_years(years)?);
    finite(economics::npv(rate, &cashflows).ok()?)
}

/// Simple payback [years]: `investment` [currency, ≥ 0] / `saving_per_year`
/// [currency]. NULL when the saving is not positive (it never pays back).
pub fn simple_payback_years(investment: f64, saving_per_year: f64) -> Option<f64> {
    finite(economics::simple_payback(investment, saving_per_year).ok()??)
}

/// Discounted payback [years] of −`investment` [currency] now and
/// `saving_per_year` [currency] at the end of each year, discounted at
/// `rate` [per year, a fraction, > −1], interpolated within the year. NULL
/// when it does not pay back within `years` [whole years, 1–100].
pub fn discounted_payback_years(
    rate: f64,
    investment: f64,
    saving_per_year: f64,
    years: f64,
) -> Option<f64> {
    let cashflows = annuity(investment, saving_per_year, whole_years(years)?);
    finite(economics::payback(&cashflows, Some(rate)).ok()??)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An annuity of 1 for 10 years at 10 % is worth 6.144 57 (the present
    /// value annuity factor, (1 − 1.1⁻¹⁰)/0.1, in any annuity table).
    #[test]
    fn npv_of_an_annuity_uses_the_annuity_factor() {
        let npv = npv_annuity(0.1, 5.0, 1.0, 10.0).expect("a value");
        assert!((npv - (6.144_567 - 5.0)).abs() < 1e-6, "{npv}");
        assert_eq!(npv_annuity(0.1, 5.0, 1.0, 10.5), None);
        assert_eq!(npv_annuity(0.1, 5.0, 1.0, 0.0), None);
        assert_eq!(npv_annuity(-1.0, 5.0, 1.0, 10.0), None);
    }

    #[test]
    fn paybacks() {
        assert_eq!(simple_payback_years(10_000.0, 4_000.0), Some(2.5));
        assert_eq!(simple_payback_years(10_000.0, 0.0), None);
        assert_eq!(simple_payback_years(-1.0, 4_000.0), None);
        // At 10 %: 4000/1.1 + 4000/1.21 + 4000/1.331 = 9947.41 after three
        // years, 52.59 short; year 4 brings 4000/1.4641 = 2732.05, so the
        // investment pays back at 3 + 52.59/2732.05 = 3.019 years.
        assert_eq!(discounted_payback_years(0.1, 10_000.0, 4_000.0, 3.0), None);
        let years = discounted_payback_years(0.1, 10_000.0, 4_000.0, 4.0).expect("a value");
        let after_three = 4_000.0 * (1.0 / 1.1 + 1.0 / 1.21 + 1.0 / 1.331);
        let expected = 3.0 + (10_000.0 - after_three) / (4_000.0 / 1.4641);
        assert!((years - expected).abs() < 1e-9, "{years} vs {expected}");
    }
}
