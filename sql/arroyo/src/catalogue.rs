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
const X: Argument = arg("x", "dryness fraction, 0–1");
const MONEY: &[Argument] = &[
    arg("rate", "per year, a fraction (0.08 = 8 %), > −1"),
    arg("investment", "currency"),
    arg("saving_per_year", "currency"),
    arg("years", "whole years, 1–100"),
];

/// Every UDF of the plugin, in the order of steamflow's SQL functions.
pub const UDFS: &[Udf] = &[
    Udf {
        name: "steam_h_pt",
        arguments: &[P_BAR_ABS, T_C],
        returns: "kJ/kg",
        description: "specific enthalpy of water or steam at (p, T), IAPWS-IF97 regions 1, 2, 3, 5",
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
        arguments: &[P_BAR_ABS, X],
        returns: "kJ/kg",
        description: "specific enthalpy of saturated or wet steam at (p, x), IAPWS-IF97",
    },
    Udf {
        name: "steam_s_px",
        arguments: &[P_BAR_ABS, X],
        returns: "kJ/(kg K)",
        description: "specific entropy of saturated or wet steam at (p, x), IAPWS-IF97",
    },
    Udf {
        name: "steam_v_px",
        arguments: &[P_BAR_ABS, X],
        returns: "m³/kg",
        description: "specific volume of saturated or wet steam at (p, x), IAPWS-IF97",
    },
    Udf {
        name: "steam_rho_px",
        arguments: &[P_BAR_ABS, X],
        returns: "kg/m³",
        description: "density of saturated or wet steam at (p, x), IAPWS-IF97",
    },
    Udf {
        name: "steam_tsat_p",
        arguments: &[arg("p_bar_abs", "bar absolute, 0.00611213–220.64")],
        returns: "°C",
        description: "saturation temperature at a pressure, IAPWS-IF97 eq. 31",
    },
    Udf {
        name: "steam_psat_t",
        arguments: &[arg("t_c", "°C, 0–373.946")],
        returns: "bar absolute",
        description: "saturation pressure at a temperature, IAPWS-IF97 eq. 30",
    },
    Udf {
        name: "steam_latent_heat_p",
        arguments: &[arg("p_bar_abs", "bar absolute, 0.00611213–220.64")],
        returns: "kJ/kg",
        description: "latent heat of vaporisation h'' − h' at a pressure",
    },
    Udf {
        name: "steam_superheat_pt",
        arguments: &[arg("p_bar_abs", "bar absolute, 0.00611213–220.64"), T_C],
        returns: "K",
        description: "degrees of superheat T − Tsat(p); negative when subcooled",
    },
    Udf {
        name: "flash_fraction",
        arguments: &[arg("p_high_bar_abs", "bar absolute"), arg("p_low_bar_abs", "bar absolute")],
        returns: "kg flash steam per kg condensate, 0–1",
        description: "flash steam from saturated condensate let down from p_high to p_low",
    },
    Udf {
        name: "steam_leak_kg_h",
        arguments: &[P_BAR_ABS, arg("diameter_mm", "mm")],
        returns: "kg/h",
        description: "dry saturated steam leaking to the atmosphere through a hole (isentropic orifice, C_d 0.7)",
    },
    Udf {
        name: "pipe_heat_loss_w_per_m",
        arguments: &[arg("t_fluid_c", "°C"), arg("t_air_c", "°C"), arg("outer_diameter_mm", "mm"), arg("insulation_mm", "mm, 0 for a bare pipe"), arg("insulation_w_per_m_k", "W/(m K), ignored when bare")],
        returns: "W/m",
        description: "heat loss per metre of a horizontal pipe in still air (ε 0.9)",
    },
    Udf {
        name: "npv_annuity",
        arguments: MONEY,
        returns: "currency",
        description: "net present value of −investment now and the same saving at the end of each year",
    },
    Udf {
        name: "simple_payback_years",
        arguments: &[arg("investment", "currency, ≥ 0"), arg("saving_per_year", "currency")],
        returns: "years",
        description: "investment / saving; NULL when the saving is not positive",
    },
    Udf {
        name: "discounted_payback_years",
        arguments: MONEY,
        returns: "years",
        description: "discounted payback of an investment and equal yearly savings; NULL when not within `years`",
    },
];
