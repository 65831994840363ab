/*
[dependencies]
steamflow-arroyo-udf = { git = "https://github.com/steamflow/steamflow" }
*/

// An Arroyo UDF definition: paste it into Arroyo's UDF editor or send it to
// `POST /api/v1/udfs` (see README.md). NULL or out-of-range input → NULL.

use arroyo_udf_plugin::udf;

/// Flash fraction [kg flash steam per kg condensate, 0–1] of saturated
/// condensate at `p_high_bar_abs` [bar absolute] let down to
/// `p_low_bar_abs` [bar absolute].
#[udf]
fn flash_fraction(p_high_bar_abs: f64, p_low_bar_abs: f64) -> Option<f64> {
    steamflow_arroyo_udf::flash_fraction(p_high_bar_abs, p_low_bar_abs)
}
