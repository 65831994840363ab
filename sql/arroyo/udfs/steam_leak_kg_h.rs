/*
[dependencies]
steamflow-arroyo-udf = { git = "https://github.com/steamflow/steamflow" }
*/

// An Arroyo UDF definition: paste it into Arroyo's UDF editor or send it to
// `POST /api/v1/udfs` (see README.md). NULL or out-of-range input → NULL.

use arroyo_udf_plugin::udf;

/// Leak rate [kg/h] of dry saturated steam at `p_bar_abs` [bar absolute] to
/// the atmosphere through a hole of `diameter_mm` [mm]: isentropic orifice
/// equation with a choke check, C_d = 0.7.
#[udf]
fn steam_leak_kg_h(p_bar_abs: f64, diameter_mm: f64) -> Option<f64> {
    steamflow_arroyo_udf::steam_leak_kg_h(p_bar_abs, diameter_mm)
}
