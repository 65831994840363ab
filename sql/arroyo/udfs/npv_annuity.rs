/*
[dependencies]
steamflow-arroyo-udf = { git = "https://github.com/steamflow/steamflow" }
*/

// An Arroyo UDF definition: paste it into Arroyo's UDF editor or send it to
// `POST /api/v1/udfs` (see README.md). NULL or out-of-range input → NULL.

use arroyo_udf_plugin::udf;

/// Net present value [currency] of −`investment` now and `saving_per_year`
/// at the end of each of `years` [1–100] years, at discount `rate` [per
/// year, a fraction]; the cash flow at t = 0 is not discounted.
#[udf]
fn npv_annuity(rate: f64, investment: f64, saving_per_year: f64, years: f64) -> Option<f64> {
    steamflow_arroyo_udf::npv_annuity(rate, investment, saving_per_year, years)
}
