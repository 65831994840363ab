//! Steam functions for SQL: IAPWS-IF97 properties and the steam-system
//! calculators of `steamflow_operators`, as vectorised DataFusion UDFs.
//!
//! Every function takes Float64 arguments (integer and decimal columns are
//! coerced) in the units its name and documentation give — pressures in
//! **bar absolute**, temperatures in **°C**, diameters and thicknesses in
//! **mm** — and returns Float64. A NULL argument gives NULL. Arguments with
//! no answer (outside IF97, NaN, infinite, a negative diameter) give NULL,
//! never an error that stops the query, and are counted: per function in
//! `udf_errors('<name>')` inside SQL and in the metrics counter
//! `sql_udf_errors_total{function="<name>"}`.
//!
//! `SHOW FUNCTIONS LIKE 'steam%'` and `information_schema.routines` list each
//! function with its description and syntax.

mod errors_fn;
mod function;
pub mod steam;

use std::collections::BTreeMap;
use std::sync::Arc;

use datafusion::logical_expr::{DocSection, Documentation, ScalarUDF};
use datafusion::prelude::SessionContext;

pub use errors_fn::UdfErrorsFunction;
pub use function::{ErrorCount, SteamFunction};

const STEAM: DocSection = DocSection {
    include: true,
    label: "Steam properties (IAPWS-IF97)",
    description: Some("Water and steam properties; pressures in bar absolute, temperatures in °C."),
};

const CALCULATORS: DocSection = DocSection {
    include: true,
    label: "Steam-system calculations",
    description: Some("Flash steam, leaks, pipe heat loss and economics."),
};

const P_BAR_ABS: (&str, &str) = (
    "p_bar_abs",
    "Absolute pressure [bar] (1 bar = 100 kPa; gauge + 1.01325).",
);
const T_C: (&str, &str) = ("t_c", "Temperature [°C].");
const X: (&str, &str) = (
    "x",
    "Dryness fraction, 0 (saturated liquid) … 1 (saturated vapour).",
);

/// One function's name, arity, kernel and documentation.
struct Definition {
    name: &'static str,
    kernel: steam::Kernel,
    section: DocSection,
    description: &'static str,
    arguments: &'static [(&'static str, &'static str)],
}

fn definitions() -> Vec<Definition> {
    let pt: &'static [(&str, &str)] = &[P_BAR_ABS, T_C];
    let px: &'static [(&str, &str)] = &[P_BAR_ABS, X];
    let money: &'static [(&str, &str)] = &[
        (
            "rate",
            "Discount rate per year as a fraction (0.08 = 8 %), > -1.",
        ),
        ("investment", "Investment at t = 0 (currency), ≥ 0."),
        (
            "saving_per_year",
            "Saving at the end of each year (currency).",
        ),
        ("years", "Whole years, 1 … 100."),
    ];
    vec![
        Definition {
            name: "steam_h_pt",
            kernel: steam::h_pt,
            section: STEAM,
            arguments: pt,
            description: "Specific enthalpy h [kJ/kg] of water or steam at pressure and temperature (IF97 regions 1, 2, 3, 5). On the saturation line use steam_h_px.",
        },
        Definition {
            name: "steam_s_pt",
            kernel: steam::s_pt,
            section: STEAM,
            arguments: pt,
            description: "Specific entropy s [kJ/(kg K)] at pressure and temperature (IF97).",
        },
        Definition {
            name: "steam_v_pt",
            kernel: steam::v_pt,
            section: STEAM,
            arguments: pt,
            description: "Specific volume v [m³/kg] at pressure and temperature (IF97).",
        },
        Definition {
            name: "steam_rho_pt",
            kernel: steam::rho_pt,
            section: STEAM,
            arguments: pt,
            description: "Density ρ [kg/m³] at pressure and temperature (IF97).",
        },
        Definition {
            name: "steam_h_px",
            kernel: steam::h_px,
            section: STEAM,
            arguments: px,
            description: "Specific enthalpy h [kJ/kg] of saturated or wet steam at pressure and dryness (IF97 region 4).",
        },
        Definition {
            name: "steam_s_px",
            kernel: steam::s_px,
            section: STEAM,
            arguments: px,
            description: "Specific entropy s [kJ/(kg K)] of wet steam at pressure and dryness.",
        },
        Definition {
            name: "steam_v_px",
            kernel: steam::v_px,
            section: STEAM,
            arguments: px,
            description: "Specific volume v [m³/kg] of wet steam at pressure and dryness.",
        },
        Definition {
            name: "steam_rho_px",
            kernel: steam::rho_px,
            section: STEAM,
            arguments: px,
            description: "Density ρ [kg/m³] of wet steam at pressure and dryness.",
        },
        Definition {
            name: "steam_tsat_p",
            kernel: steam::tsat_p,
            section: STEAM,
            arguments: &[P_BAR_ABS],
            description: "Saturation temperature [°C] at an absolute pressure (IF97 eq. 31; 0.00611 … 220.64 bar).",
        },
        Definition {
            name: "steam_psat_t",
            kernel: steam::psat_t,
            section: STEAM,
            arguments: &[T_C],
            description: "Saturation pressure [bar absolute] at a temperature (IF97 eq. 30; 0 … 373.946 °C).",
        },
        Definition {
            name: "steam_latent_heat_p",
            kernel: steam::latent_heat_p,
            section: STEAM,
            arguments: &[P_BAR_ABS],
            description: "Latent heat of vaporisation h_fg = h'' − h' [kJ/kg] at an absolute pressure.",
        },
        Definition {
            name: "steam_superheat_pt",
            kernel: steam::superheat_pt,
            section: STEAM,
            arguments: pt,
            description: "Superheat T − Tsat(p) [K]; negative for subcooled water.",
        },
        Definition {
            name: "flash_fraction",
            kernel: steam::flash,
            section: CALCULATORS,
            arguments: &[
                (
                    "p_high_bar_abs",
                    "Condensate pressure before the drop [bar absolute] (saturated condensate).",
                ),
                ("p_low_bar_abs", "Pressure after the drop [bar absolute]."),
            ],
            description: "Mass fraction 0 … 1 of saturated condensate that flashes to steam when its pressure falls: (h'(p_high) − h'(p_low)) / h_fg(p_low), IF97.",
        },
        Definition {
            name: "steam_leak_kg_h",
            kernel: steam::leak_kg_h,
            section: CALCULATORS,
            arguments: &[P_BAR_ABS, ("diameter_mm", "Hole (orifice) diameter [mm].")],
            description: "Dry saturated steam leaking to the atmosphere through a hole [kg/h]: isentropic orifice equation with a choke check, C_d = 0.7, IF97 density.",
        },
        Definition {
            name: "pipe_heat_loss_w_per_m",
            kernel: steam::heat_loss_w_per_m,
            section: CALCULATORS,
            arguments: &[
                ("t_fluid_c", "Steam or condensate temperature [°C]."),
                ("t_air_c", "Still air (and surroundings) temperature [°C]."),
                ("outer_diameter_mm", "Outside diameter of the pipe [mm]."),
                (
                    "insulation_mm",
                    "Insulation thickness [mm]; 0 for a bare pipe.",
                ),
                (
                    "insulation_w_per_m_k",
                    "Insulation conductivity [W/(m K)]; ignored for a bare pipe.",
                ),
            ],
            description: "Heat lost per metre of a horizontal pipe in still air [W/m]: Churchill–Chu natural convection, radiation with ε = 0.9, surface temperature iterated through the insulation.",
        },
        Definition {
            name: "npv_annuity",
            kernel: steam::npv_annuity,
            section: CALCULATORS,
            arguments: money,
            description: "Net present value of −investment now and the same saving at the end of each year (cash flow at t = 0 undiscounted).",
        },
        Definition {
            name: "simple_payback_years",
            kernel: steam::simple_payback,
            section: CALCULATORS,
            arguments: &[
                ("investment", "Investment (currency), ≥ 0."),
                ("saving_per_year", "Saving per year (currency)."),
            ],
            description: "Simple payback investment / saving [years]; NULL when the saving is not positive (it never pays back).",
        },
        Definition {
            name: "discounted_payback_years",
            kernel: steam::discounted_payback,
            section: CALCULATORS,
            arguments: money,
            description: "Discounted payback [years] of an investment and equal yearly savings, interpolated within the year; NULL when it does not pay back within `years`.",
        },
    ]
}

fn syntax(definition: &Definition) -> String {
    let names: Vec<&str> = definition.arguments.iter().map(|(name, _)| *name).collect();
    format!("{}({})", definition.name, names.join(", "))
}

/// Every steam function, built once per session.
pub fn steam_functions() -> Vec<SteamFunction> {
    definitions()
        .into_iter()
        .map(|definition| {
            let syntax = syntax(&definition);
            let mut doc =
                Documentation::builder(definition.section, definition.description, syntax);
            for (name, text) in definition.arguments {
                doc = doc.with_argument(*name, *text);
            }
            SteamFunction::new(
                definition.name,
                definition.arguments.len(),
                definition.kernel,
                doc.build(),
            )
        })
        .collect()
}

/// Registers every steam function and `udf_errors(name)` in `ctx`.
pub fn register(ctx: &SessionContext) {
    let mut counts = BTreeMap::new();
    for function in steam_functions() {
        counts.insert(function.name_str().to_owned(), function.errors());
        ctx.register_udf(ScalarUDF::new_from_impl(function));
    }
    ctx.register_udf(ScalarUDF::new_from_impl(UdfErrorsFunction::new(Arc::new(
        counts,
    ))));
}

/// Whether `name` is one of steamflow's functions (not DataFusion's own).
pub fn is_steamflow_function(name: &str) -> bool {
    name == "udf_errors"
        || definitions()
            .iter()
            .any(|definition| definition.name == name)
}
