//! Sensitivity of a project's NPV to the three figures its saving rests
//! on — the fuel price, the operating hours and the loss estimate — as a
//! tornado table: each factor moved to the low and the high end of its
//! range with the others at their base values, sorted by the swing.
//!
//! The annual saving is linear in each factor: the loss estimate and the
//! hours scale it whole, the fuel price only its fuel share (water and
//! treatment do not follow fuel). The hours' high end is capped at a leap
//! year.

use super::appraisal::{ProjectInput, appraise};
use crate::analysis::error::{CalcError, Result, fraction, non_negative};
use crate::analysis::loss_pricing::MAX_HOURS_PER_YEAR;

/// A factor of the tornado table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Factor {
    /// The fuel price.
    FuelPrice,
    /// Hours a year under steam.
    OperatingHours,
    /// The size of the loss removed (trap, leak or heat loss estimate).
    LossEstimate,
}

impl Factor {
    /// Its name in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Factor::FuelPrice => "fuel_price",
            Factor::OperatingHours => "operating_hours",
            Factor::LossEstimate => "loss_estimate",
        }
    }
}

/// ± ranges of each factor, fractions of its base value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SensitivityRanges {
    /// Fuel price ± (0.2 = ±20 %).
    pub fuel_price: f64,
    /// Operating hours ±.
    pub operating_hours: f64,
    /// Loss estimate ±.
    pub loss_estimate: f64,
}

impl Default for SensitivityRanges {
    /// Fuel ±20 %, hours ±20 %, loss estimate ±30 % (a trap's or leak's
    /// size from an acoustic level is rarely better than that).
    fn default() -> Self {
        SensitivityRanges {
            fuel_price: 0.2,
            operating_hours: 0.2,
            loss_estimate: 0.3,
        }
    }
}

/// The project at its base values and what its saving rests on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SensitivityInput {
    /// The project at the base values.
    pub project: ProjectInput,
    /// Share of the annual saving that is fuel (0 to 1); the rest (water,
    /// treatment) does not follow the fuel price. Carbon follows fuel.
    pub fuel_share: f64,
    /// Base operating hours a year (to cap the high end at 8784 h).
    pub operating_hours: f64,
    /// The ranges.
    pub ranges: SensitivityRanges,
}

/// One bar of the tornado.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TornadoRow {
    /// The factor moved.
    pub factor: Factor,
    /// Its value at the low end, as a fraction of the base (0.8).
    pub low_multiplier: f64,
    /// Its value at the high end (1.2).
    pub high_multiplier: f64,
    /// NPV with the factor low.
    pub npv_low: f64,
    /// NPV with the factor high.
    pub npv_high: f64,
    /// |npv_high − npv_low|: the bar's length.
    pub swing: f64,
}

/// The tornado table: a row per factor, longest bar first, with the base
/// NPV.
///
/// Errors: the project's ([`appraise`]), a fuel share outside 0..1, a range
/// negative or ≥ 1 (a factor would turn negative), negative hours.
pub fn tornado(input: &SensitivityInput) -> Result<(f64, Vec<TornadoRow>)> {
    let fuel_share = fraction("fuel share of the saving", input.fuel_share)?;
    let hours = non_negative("operating hours", input.operating_hours)?;
    let base = appraise(&input.project)?.npv;
    let mut rows = Vec::with_capacity(3);
    for (factor, range) in [
        (Factor::FuelPrice, input.ranges.fuel_price),
        (Factor::OperatingHours, input.ranges.operating_hours),
        (Factor::LossEstimate, input.ranges.loss_estimate),
    ] {
        let range = non_negative("sensitivity range", range)?;
        if range >= 1.0 {
            return Err(CalcError::OutOfRange {
                name: "sensitivity range",
                value: range,
                expected: "below 1 (100 %)",
            });
        }
        let (low, mut high) = (1.0 - range, 1.0 + range);
        if factor == Factor::OperatingHours && hours > 0.0 {
            high = high.min(MAX_HOURS_PER_YEAR / hours).max(1.0);
        }
        let scale = |m: f64| match factor {
            Factor::FuelPrice => 1.0 + fuel_share * (m - 1.0),
            Factor::OperatingHours | Factor::LossEstimate => m,
        };
        let npv_at = |m: f64| {
            appraise(&ProjectInput {
                annual_saving: input.project.annual_saving * scale(m),
                ..input.project
            })
            .map(|a| a.npv)
        };
        let (npv_low, npv_high) = (npv_at(low)?, npv_at(high)?);
        rows.push(TornadoRow {
            factor,
            low_multiplier: low,
            high_multiplier: high,
            npv_low,
            npv_high,
            swing: (npv_high - npv_low).abs(),
        });
    }
    rows.sort_by(|a, b| b.swing.total_cmp(&a.swing).then(a.factor.cmp(&b.factor)));
    Ok((base, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The uniform series of [`super::super::appraisal`]'s textbook example
    /// (10 000, 3 000 a year, 5 years, 10 %: (P/A, 10 %, 5) = 3.7908): NPV
    /// is linear in the saving, so ±30 % of the loss moves it by
    /// ±0.3 × 3 000 × 3.7908 = ±3 411.7, ±20 % of the hours by ±2 274.5 and
    /// ±20 % of the fuel price, on a saving that is 75 % fuel, by ±1 705.9.
    #[test]
    fn tornado_of_the_textbook_project() {
        let input = SensitivityInput {
            project: ProjectInput {
                capex: 10_000.0,
                annual_saving: 3_000.0,
                annual_cost: 0.0,
                life_years: 5,
                discount_rate: 0.10,
            },
            fuel_share: 0.75,
            operating_hours: 6_000.0,
            ranges: SensitivityRanges::default(),
        };
        let (base, rows) = tornado(&input).unwrap();
        assert!((base - 1_372.36).abs() < 0.01);
        let af = 3.790_787;
        let factors: Vec<Factor> = rows.iter().map(|r| r.factor).collect();
        assert_eq!(
            factors,
            [
                Factor::LossEstimate,
                Factor::OperatingHours,
                Factor::FuelPrice
            ]
        );
        for (row, delta) in rows.iter().zip([0.3, 0.2, 0.75 * 0.2]) {
            let d = delta * 3_000.0 * af;
            assert!((row.npv_high - (base + d)).abs() < 0.01, "{row:?}");
            assert!((row.npv_low - (base - d)).abs() < 0.01, "{row:?}");
            assert!((row.swing - 2.0 * d).abs() < 0.02);
        }
    }

    #[test]
    fn hours_are_capped_at_a_leap_year() {
        let input = SensitivityInput {
            project: ProjectInput {
                capex: 100.0,
                annual_saving: 1_000.0,
                annual_cost: 0.0,
                life_years: 3,
                discount_rate: 0.08,
            },
            fuel_share: 1.0,
            operating_hours: 8_760.0,
            ranges: SensitivityRanges::default(),
        };
        let (_, rows) = tornado(&input).unwrap();
        let hours = rows
            .iter()
            .find(|r| r.factor == Factor::OperatingHours)
            .unwrap();
        assert!((hours.high_multiplier - 8_784.0 / 8_760.0).abs() < 1e-12);
        let bad = SensitivityInput {
            ranges: SensitivityRanges {
                loss_estimate: 1.0,
                ..SensitivityRanges::default()
            },
            ..input
        };
        assert!(tornado(&bad).is_err());
        assert!(
            tornado(&SensitivityInput {
                fuel_share: 1.5,
                ..input
            })
            .is_err()
        );
    }
}
