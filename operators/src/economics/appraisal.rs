//! Appraisal of one project that saves steam: an investment now, an equal
//! net saving at the end of each year of its life.
//!
//! The cash flows follow the module's convention (the investment at t = 0,
//! undiscounted): `[−capex, s, s, …, s]` with s = annual saving − annual
//! running cost. NPV, IRR and both paybacks come from [`npv()`],
//! [`irr()`] and [`payback()`], so the appraisal of a repair and the
//! `steamflow calc npv` of the same flows agree to the last digit.

use super::irr::{Irr, irr};
use super::npv::npv;
use super::payback::payback;
use crate::analysis::error::{CalcError, Result, finite, non_negative};

/// Longest life appraised \[years\].
pub const MAX_LIFE_YEARS: u32 = 100;

/// A project's money.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ProjectInput {
    /// Investment now (≥ 0).
    pub capex: f64,
    /// Money saved each year (the losses it removes, priced).
    pub annual_saving: f64,
    /// Money it costs each year to run or maintain (≥ 0).
    pub annual_cost: f64,
    /// Years of life, 1 to [`MAX_LIFE_YEARS`].
    pub life_years: u32,
    /// Discount rate, a fraction a year (> −1).
    pub discount_rate: f64,
}

/// What a project is worth.
#[derive(Clone, Debug, PartialEq)]
pub struct Appraisal {
    /// Net present value at the discount rate.
    pub npv: f64,
    /// Internal rates of return; [`Irr::NoRoot`] for a project that costs
    /// nothing (it pays at any rate) or never recovers anything.
    pub irr: Irr,
    /// Capex / net annual saving \[years\]; `None` when it never pays back.
    pub simple_payback_years: Option<f64>,
    /// When the discounted cumulative cash flow turns positive \[years\];
    /// `None` when not within the life.
    pub discounted_payback_years: Option<f64>,
    /// The cash flows appraised, the investment first.
    pub cashflows: Vec<f64>,
}

/// Appraises a project.
///
/// Errors: a NaN or infinite input, a negative capex or running cost, a
/// life of 0 or over [`MAX_LIFE_YEARS`] years, a rate ≤ −1.
pub fn appraise(input: &ProjectInput) -> Result<Appraisal> {
    let capex = non_negative("capex", input.capex)?;
    let saving = finite("annual saving", input.annual_saving)?;
    let running = non_negative("annual running cost", input.annual_cost)?;
    if input.life_years == 0 || input.life_years > MAX_LIFE_YEARS {
        return Err(CalcError::OutOfRange {
            name: "project life [years]",
            value: f64::from(input.life_years),
            expected: "1 to 100 years",
        });
    }
    let net = finite("net annual saving", saving - running)?;
    let mut cashflows = Vec::with_capacity(input.life_years as usize + 1);
    cashflows.push(-capex);
    cashflows.extend(std::iter::repeat_n(net, input.life_years as usize));
    let value = npv(input.discount_rate, &cashflows)?;
    let rates = if cashflows.iter().all(|c| *c == 0.0) {
        Irr::NoRoot
    } else {
        irr(&cashflows)?
    };
    let simple = if capex == 0.0 {
        Some(0.0)
    } else if net > 0.0 {
        Some(capex / net)
    } else {
        None
    };
    Ok(Appraisal {
        npv: value,
        irr: rates,
        simple_payback_years: simple,
        discounted_payback_years: payback(&cashflows, Some(input.discount_rate))?,
        cashflows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn project(capex: f64, saving: f64, years: u32, rate: f64) -> ProjectInput {
        ProjectInput {
            capex,
            annual_saving: saving,
            annual_cost: 0.0,
            life_years: years,
            discount_rate: rate,
        }
    }

    /// The textbook uniform-series case, checked against the printed
    /// compound-interest tables (e.g. Newnan, Eschenbach & Lavelle,
    /// *Engineering Economic Analysis*, 10 % table: (P/A, 10 %, 5) =
    /// 3.7908): 10 000 invested, 3 000 a year for 5 years at 10 % has
    /// NPV = −10 000 + 3 000 × 3.7908 = 1 372.4. Its IRR solves
    /// (P/A, i, 5) = 3.3333: 15.24 %. Discounted cumulative flows are
    /// −7 272.7, −4 793.4, −2 539.4, −490.4, +1 372.4, so the discounted
    /// payback is 4 + 490.4 / 1 862.8 = 4.26 years; the simple one 3.33.
    #[test]
    fn uniform_series_textbook_example() {
        let a = appraise(&project(10_000.0, 3_000.0, 5, 0.10)).unwrap();
        assert!((a.npv - 1_372.36).abs() < 0.01, "{}", a.npv);
        let irr = a.irr.unique().unwrap();
        assert!((irr - 0.1524).abs() < 5e-5, "{irr}");
        assert!((a.simple_payback_years.unwrap() - 10.0 / 3.0).abs() < 1e-12);
        let dpb = a.discounted_payback_years.unwrap();
        assert!((dpb - 4.263).abs() < 1e-3, "{dpb}");
    }

    /// US DOE, Steam Tip Sheet #1, "Inspect and repair steam traps": a
    /// trap stuck open on a 150 psig line loses 75.8 lb/h; at 10 per
    /// 1000 lb the repair saves 75.8 × 8760 × 10 / 1000 = 6 640 a year. A
    /// 500 repair then pays back in 0.075 years (27 days).
    #[test]
    fn doe_trap_repair_pays_back_in_weeks() {
        let saving: f64 = 75.8 * 8760.0 * 10.0 / 1000.0;
        assert!((saving - 6_640.0).abs() < 1.0, "{saving}");
        let a = appraise(&project(500.0, saving, 5, 0.08)).unwrap();
        assert!((a.simple_payback_years.unwrap() * 365.0 - 27.5).abs() < 0.5);
        assert!(a.discounted_payback_years.unwrap() < 0.1);
        assert!(a.irr.unique().unwrap() > 10.0, "{:?}", a.irr);
    }

    #[test]
    fn projects_that_never_pay() {
        let a = appraise(&project(1_000.0, 0.0, 5, 0.08)).unwrap();
        assert_eq!(a.simple_payback_years, None);
        assert_eq!(a.discounted_payback_years, None);
        assert_eq!(a.irr, Irr::NoRoot);
        assert!((a.npv + 1_000.0).abs() < 1e-12);
        let free = appraise(&project(0.0, 100.0, 5, 0.08)).unwrap();
        assert_eq!(free.simple_payback_years, Some(0.0));
        assert_eq!(free.irr, Irr::NoRoot);
        assert!(appraise(&project(0.0, 0.0, 5, 0.08)).is_ok());
    }

    #[test]
    fn bad_inputs_are_errors() {
        assert!(appraise(&project(-1.0, 10.0, 5, 0.08)).is_err());
        assert!(appraise(&project(1.0, f64::NAN, 5, 0.08)).is_err());
        assert!(appraise(&project(1.0, 10.0, 0, 0.08)).is_err());
        assert!(appraise(&project(1.0, 10.0, 101, 0.08)).is_err());
        assert!(appraise(&project(1.0, 10.0, 5, -1.0)).is_err());
    }

    proptest! {
        #[test]
        fn never_panics(capex in any::<f64>(), saving in any::<f64>(), years in 0u32..200, rate in any::<f64>()) {
            let _ = appraise(&project(capex, saving, years, rate));
        }

        /// NPV is zero at the IRR, and positive exactly when the rate is
        /// below it, for an investment followed by savings.
        #[test]
        fn npv_and_irr_agree(capex in 1.0f64..1e6, saving in 1.0f64..1e6, years in 1u32..30, rate in 0.0f64..0.5) {
            let a = appraise(&project(capex, saving, years, rate)).unwrap();
            let irr = a.irr.unique().unwrap();
            if irr > rate + 1e-6 {
                prop_assert!(a.npv > 0.0, "irr {irr} rate {rate} npv {}", a.npv);
            }
            if irr < rate - 1e-6 {
                prop_assert!(a.npv < 0.0, "irr {irr} rate {rate} npv {}", a.npv);
            }
        }
    }
}
