/*
[dependencies]
steamflow-arroyo-udf = { git = "https://github.com/steamflow/steamflow" }
*/

// An Arroyo UDF definition: paste it into Arroyo's UDF editor or send it to
// `POST /api/v1/udfs` (see README.md). NULL or out-of-range input → NULL.

use arroyo_udf_plugin::udf;

/// Heat loss [W/m] of a horizontal pipe with fluid at `t_fluid_c` [°C] in
/// still air at `t_air_c` [°C]: pipe outside diameter `outer_diameter_mm`
/// [mm], insulation `insulation_mm` [mm; 0 = bare] of conductivity
/// `insulation_w_per_m_k` [W/(m K)]; emissivity 0.9.
#[udf]
fn pipe_heat_loss_w_per_m(
    t_fluid_c: f64,
    t_air_c: f64,
    outer_diameter_mm: f64,
    insulation_mm: f64,
    insulation_w_per_m_k: f64,
) -> Option<f64> {
    steamflow_arroyo_udf::pipe_heat_loss_w_per_m(
        t_fluid_c,
        t_air_c,
        outer_diameter_mm,
        insulation_mm,
        insulation_w_per_m_k,
    )
}
