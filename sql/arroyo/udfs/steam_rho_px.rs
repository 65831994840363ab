/*
[dependencies]
steamflow-arroyo-udf = { git = "https://github.com/steamflow/steamflow" }
*/

// An Arroyo UDF definition: paste it into Arroyo's UDF editor or send it to
// `POST /api/v1/udfs` (see README.md). NULL or out-of-range input → NULL.

use arroyo_udf_plugin::udf;

/// Density [kg/m³] of saturated or wet steam at pressure `p_bar_abs` [bar
/// absolute] and dryness fraction `x` [0–1] (IAPWS-IF97).
#[udf]
fn steam_rho_px(p_bar_abs: f64, x: f64) -> Option<f64> {
    steamflow_arroyo_udf::steam_rho_px(p_bar_abs, x)
}
