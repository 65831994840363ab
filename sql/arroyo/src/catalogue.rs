//! The list of UDFs this crate packages, with their arguments and units.

/// One argument of a UDF.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Argument {
    /// The parameter's name in the UDF definition (and in steamflow's SQL).
    pub name: &'static str,
    /// Its unit and range, in words.
    pub unit: &'static str,
}

/// One UDF: its SQL name, arguments and result. Every argument and the
/// result are `DOUBLE` (`FLOAT64`); a NULL argument gives NULL without
/// calling the function, and an out-of-range argument gives NULL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Udf {
    /// The SQL name, which is also the name of the function annotated with
    /// `#[udf]` in `udfs/<name>.rs`.
    pub name: &'static str,
    /// The arguments, in order.
    pub arguments: &'static [Argument],
    /// The result's unit.
    pub returns: &'static str,
    /// What it computes.
    pub description: &'static str,
}

const fn arg(name: &'static str, unit: &'static str) -> Argument {
    Argument { name, unit }
}

const P_BAR_ABS: Argument = arg("p_bar_abs", "bar absolute");
const T_C: Argument = arg("t_c", "°C");

/// Every UDF of the plugin.
pub const UDFS: &[Udf] = &[
    Udf {
        name: "steam_h_pt",
        arguments: &[P_BAR_ABS, T_C],
        returns: "kJ/kg",
        description: "specific enthalpy of water or steam at (p, T), IAPWS-IF97",
    },
    Udf {
        name: "steam_s_pt",
        arguments: &[P_BAR_ABS, T_C],
        returns: "kJ/(kg K)",
        description: "specific entropy at (p, T), IAPWS-IF97",
    },
    Udf {
        name: "steam_v_pt",
        arguments: &[P_BAR_ABS, T_C],
        returns: "m³/kg",
        description: "specific volume at (p, T), IAPWS-IF97",
    },
    Udf {
        name: "steam_rho_pt",
        arguments: &[P_BAR_ABS, T_C],
        returns: "kg/m³",
        description: "density at (p, T), IAPWS-IF97",
    },
    Udf {
        name: "steam_h_px",
        arguments: &[P_BAR_ABS, arg("x", "dryness fraction, 0–1")],
        returns: "kJ/kg",
        description: "specific enthalpy of saturated or wet steam at (p, x), IAPWS-IF97",
    },
    Udf {
        name: "steam_tsat_p",
        arguments: &[P_BAR_ABS],
        returns: "°C",
        description: "saturation temperature at a pressure, IAPWS-IF97 eq. 31",
    },
    Udf {
        name: "steam_psat_t",
        arguments: &[T_C],
        returns: "bar absolute",
        description: "saturation pressure at a temperature, IAPWS-IF97 eq. 30",
    },
    Udf {
        name: "steam_latent_heat_p",
        arguments: &[P_BAR_ABS],
        returns: "kJ/kg",
        description: "latent heat of vaporisation h'' − h' at a pressure",
    },
    Udf {
        name: "steam_superheat_pt",
        arguments: &[P_BAR_ABS, T_C],
        returns: "K",
        description: "degrees of superheat T − Tsat(p); negative when subcooled",
    },
    Udf {
        name: "flash_fraction",
        arguments: &[
            arg("p_from_bar_abs", "bar absolute"),
            arg("p_to_bar_abs", "bar absolute"),
        ],
        returns: "kg flash steam per kg condensate, 0–1",
        description: "flash steam from saturated condensate let down between two pressures",
    },
    Udf {
        name: "orifice_leak_kg_h",
        arguments: &[
            arg("p_up_bar_abs", "bar absolute"),
            arg("p_down_bar_abs", "bar absolute"),
            arg("hole_mm", "mm"),
        ],
        returns: "kg/h",
        description: "dry saturated steam leaking through a hole (isentropic orifice, C_d 0.7)",
    },
    Udf {
        name: "pipe_heat_loss_w_m",
        arguments: &[
            arg("t_fluid_c", "°C"),
            arg("t_ambient_c", "°C"),
            arg("outer_diameter_mm", "mm"),
            arg("insulation_mm", "mm, 0 for a bare pipe"),
            arg("insulation_w_mk", "W/(m K), ignored when bare"),
        ],
        returns: "W/m",
        description: "heat loss per metre of a horizontal pipe in still air (ε 0.9)",
    },
];
