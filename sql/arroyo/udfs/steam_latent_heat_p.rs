/*
[dependencies]
steamflow-arroyo-udf = { git = "https://github.com/steamflow/steamflow" }
*/

// An Arroyo UDF definition: paste it into Arroyo's UDF editor or send it to
// `POST /api/v1/udfs` (see README.md). NULL or out-of-range input → NULL.

use arroyo_udf_plugin::udf;

/// Latent heat of vaporisation h'' − h' [kJ/kg] at pressure `p_bar_abs`
/// [bar absolute, 0.00611213–220.64] (IAPWS-IF97).
#[udf]
fn steam_latent_heat_p(p_bar_abs: f64) -> Option<f64> {
    steamflow_arroyo_udf::steam_latent_heat_p(p_bar_abs)
}
