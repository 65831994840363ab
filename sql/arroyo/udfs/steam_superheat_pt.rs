/*
[dependencies]
steamflow-arroyo-udf = { git = "https://github.com/steamflow/steamflow" }
*/

// An Arroyo UDF definition: paste it into Arroyo's UDF editor or send it to
// `POST /api/v1/udfs` (see README.md). NULL or out-of-range input → NULL.

use arroyo_udf_plugin::udf;

/// Degrees of superheat T − Tsat(p) [K] at pressure `p_bar_abs` [bar
/// absolute, 0.00611213–220.64] and temperature `t_c` [°C]; negative when
/// subcooled.
#[udf]
fn steam_superheat_pt(p_bar_abs: f64, t_c: f64) -> Option<f64> {
    steamflow_arroyo_udf::steam_superheat_pt(p_bar_abs, t_c)
}
