/*
[dependencies]
steamflow-arroyo-udf = { git = "https://github.com/steamflow/steamflow" }
*/

// An Arroyo UDF definition: paste it into Arroyo's UDF editor or send it to
// `POST /api/v1/udfs` (see README.md). NULL or out-of-range input → NULL.

use arroyo_udf_plugin::udf;

/// Saturation pressure [bar absolute] at temperature `t_c` [°C,
/// 0–373.946] (IAPWS-IF97 eq. 30).
#[udf]
fn steam_psat_t(t_c: f64) -> Option<f64> {
    steamflow_arroyo_udf::steam_psat_t(t_c)
}
