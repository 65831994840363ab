/*
[dependencies]
steamflow-arroyo-udf = { git = "https://github.com/steamflow/steamflow" }
*/

// An Arroyo UDF definition: paste it into Arroyo's UDF editor or send it to
// `POST /api/v1/udfs` (see README.md). NULL or out-of-range input → NULL.

use arroyo_udf_plugin::udf;

/// Specific enthalpy [kJ/kg] of water or steam at pressure `p_bar_abs`
/// [bar absolute] and temperature `t_c` [°C] (IAPWS-IF97 regions 1, 2, 3, 5).
#[udf]
fn steam_h_pt(p_bar_abs: f64, t_c: f64) -> Option<f64> {
    steamflow_arroyo_udf::steam_h_pt(p_bar_abs, t_c)
}
