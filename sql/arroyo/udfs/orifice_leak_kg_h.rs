/*
[dependencies]
steamflow-arroyo-udf = { git = "https://github.com/steamflow/steamflow" }
*/

// An Arroyo UDF definition: paste it into Arroyo's UDF editor or send it to
// `POST /api/v1/udfs` (see README.md). NULL or out-of-range input → NULL.

use arroyo_udf_plugin::udf;

/// Leak rate [kg/h] of dry saturated steam at `p_up_bar_abs` [bar absolute]
/// through a hole of `hole_mm` [mm] into `p_down_bar_abs` [bar absolute;
/// 1.01325 for the atmosphere]: isentropic orifice equation, C_d = 0.7.
#[udf]
fn orifice_leak_kg_h(p_up_bar_abs: f64, p_down_bar_abs: f64, hole_mm: f64) -> Option<f64> {
    steamflow_arroyo_udf::orifice_leak_kg_h(p_up_bar_abs, p_down_bar_abs, hole_mm)
}
