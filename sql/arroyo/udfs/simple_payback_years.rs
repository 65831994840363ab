/*
[dependencies]
steamflow-arroyo-udf = { git = "https://github.com/steamflow/steamflow" }
*/

// An Arroyo UDF definition: paste it into Arroyo's UDF editor or send it to
// `POST /api/v1/udfs` (see README.md). NULL or out-of-range input → NULL.

use arroyo_udf_plugin::udf;

/// Simple payback [years]: `investment` / `saving_per_year`; NULL when the
/// saving is not positive (it never pays back).
#[udf]
fn simple_payback_years(investment: f64, saving_per_year: f64) -> Option<f64> {
    steamflow_arroyo_udf::simple_payback_years(investment, saving_per_year)
}
