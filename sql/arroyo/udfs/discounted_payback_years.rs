/*
[dependencies]
steamflow-arroyo-udf = { git = "https://github.com/steamflow/steamflow" }
*/

// An Arroyo UDF definition: paste it into Arroyo's UDF editor or send it to
// `POST /api/v1/udfs` (see README.md). NULL or out-of-range input → NULL.

use arroyo_udf_plugin::udf;

/// Discounted payback [years] of −`investment` now and `saving_per_year` at
/// the end of each year at discount `rate` [per year, a fraction],
/// interpolated within the year; NULL when not within `years` [1–100].
#[udf]
fn discounted_payback_years(
    rate: f64,
    investment: f64,
    saving_per_year: f64,
    years: f64,
) -> Option<f64> {
    steamflow_arroyo_udf::discounted_payback_years(rate, investment, saving_per_year, years)
}
