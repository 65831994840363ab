//! Parsing user strings such as `"10 barg"`, `"180 °C"` or `"2.5 t/h"`.
//!
//! A quantity is written `"<number> <unit>"`; the space is optional
//! (`"3MPa"`). The number is a decimal with an optional exponent
//! (`"1.5e3 kg/h"`); NaN, infinities and numbers too large for an `f64` are
//! refused.
//!
//! Units are matched without regard to case, spaces, `·`, `*`, `.`, `^` or
//! parentheses, so `kJ/(kg K)`, `kJ/kg·K` and `KJ/KGK` are one unit, and the
//! engineering spellings `mpa`, `MPA`, `kpa`, `BARG` are accepted. One case
//! rule stays: a spelling that is a *different* SI unit only by the case of
//! its prefix — `mPa` (millipascal) for `MPa`, `mW` for `MW`, `Mm` for `mm` —
//! is refused with a hint, because a factor of 10⁹ must never pass silently.
//!
//! Plain `bar`, `psi`, `kPa` and `MPa` are absolute; gauge pressures need a
//! `g` (`barg`, `psig`, `kPag`, `MPag`), relative to the standard
//! atmosphere, 101 325 Pa. Absolute pressures below vacuum and temperatures
//! below absolute zero are refused.
//!
//! Each quantity type also implements [`std::str::FromStr`], so
//! `"10 barg".parse::<Pressure>()` works.

use std::str::FromStr;

use super::quantity::*;

/// Why a string is not a quantity of the expected kind.
///
/// Every variant about a unit carries the list of accepted units, and the
/// message shows it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum UnitError {
    /// The string is empty or blank.
    #[error("empty {quantity}: write a number and a unit; accepted units: {accepted}")]
    Empty {
        /// The kind of quantity expected, e.g. `"pressure"`.
        quantity: &'static str,
        /// The accepted units, comma-separated.
        accepted: String,
    },
    /// The string does not start with a decimal number.
    #[error("{quantity} {text:?} does not start with a number (write e.g. \"1.5 {example}\")")]
    BadNumber {
        /// The kind of quantity expected.
        quantity: &'static str,
        /// The text given.
        text: String,
        /// A unit to show in the example.
        example: &'static str,
    },
    /// The number is NaN, infinite, or too large to represent.
    #[error("{quantity} {text:?} is not a finite number")]
    NotFinite {
        /// The kind of quantity expected.
        quantity: &'static str,
        /// The text given.
        text: String,
    },
    /// A number without a unit.
    #[error("{quantity} {text:?} has no unit; accepted units: {accepted}")]
    MissingUnit {
        /// The kind of quantity expected.
        quantity: &'static str,
        /// The text given.
        text: String,
        /// The accepted units, comma-separated.
        accepted: String,
    },
    /// A unit that is not one of this quantity's.
    #[error("unknown {quantity} unit {unit:?}; accepted units: {accepted}")]
    UnknownUnit {
        /// The kind of quantity expected.
        quantity: &'static str,
        /// The unit given.
        unit: String,
        /// The accepted units, comma-separated.
        accepted: String,
    },
    /// A unit that differs from an accepted one only by the case of an SI
    /// prefix, and so names a unit 10⁹ (or 10⁶) times larger or smaller.
    #[error(
        "{quantity} unit {unit:?} has the SI prefix of a different unit; did you mean {meant:?}? accepted units: {accepted}"
    )]
    AmbiguousPrefix {
        /// The kind of quantity expected.
        quantity: &'static str,
        /// The unit given.
        unit: String,
        /// The accepted unit it resembles.
        meant: &'static str,
        /// The accepted units, comma-separated.
        accepted: String,
    },
    /// A value that no physical quantity of this kind can have.
    #[error("{quantity} {text:?} is {reason}")]
    Unphysical {
        /// The kind of quantity expected.
        quantity: &'static str,
        /// The text given.
        text: String,
        /// Why, in words.
        reason: &'static str,
    },
}

/// A quantity that can be read from a `"<number> <unit>"` string.
pub trait ParseQuantity: Sized {
    /// Parses the string, or explains what is wrong and which units are accepted.
    fn parse_quantity(text: &str) -> Result<Self, UnitError>;
}

/// One unit: its spellings (the first is the one shown in messages) and the
/// conversion of a value in it to the SI unit of the quantity.
struct Unit {
    spellings: &'static [&'static str],
    to_si: fn(f64) -> f64,
}

/// The units of one kind of quantity.
struct UnitTable {
    quantity: &'static str,
    units: &'static [Unit],
    /// A physical lower bound in SI (absolute zero, vacuum), if any.
    minimum_si: Option<(f64, &'static str)>,
}

impl UnitTable {
    /// "Pa, kPa, MPa, bar (bara), …": each unit with its other spellings.
    fn accepted(&self) -> String {
        let mut list = Vec::with_capacity(self.units.len());
        for unit in self.units {
            let (first, others) = match unit.spellings.split_first() {
                Some(split) => split,
                None => continue,
            };
            if others.is_empty() {
                list.push((*first).to_string());
            } else {
                list.push(format!("{first} ({})", others.join(", ")));
            }
        }
        list.join(", ")
    }

    fn example(&self) -> &'static str {
        self.units
            .first()
            .and_then(|u| u.spellings.first())
            .copied()
            .unwrap_or("")
    }

    /// Parses `text` into a value in SI units.
    fn parse_si(&self, text: &str) -> Result<f64, UnitError> {
        let quantity = self.quantity;
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(UnitError::Empty {
                quantity,
                accepted: self.accepted(),
            });
        }
        let (number, unit) = split_number(trimmed);
        let value = parse_number(number).map_err(|problem| match problem {
            NumberProblem::NotFinite => UnitError::NotFinite {
                quantity,
                text: trimmed.to_string(),
            },
            NumberProblem::Malformed => UnitError::BadNumber {
                quantity,
                text: trimmed.to_string(),
                example: self.example(),
            },
        })?;
        let unit = unit.trim();
        if unit.is_empty() {
            return Err(UnitError::MissingUnit {
                quantity,
                text: trimmed.to_string(),
                accepted: self.accepted(),
            });
        }
        let found = self.find(unit)?;
        let si = (found.to_si)(value);
        if !si.is_finite() {
            return Err(UnitError::NotFinite {
                quantity,
                text: trimmed.to_string(),
            });
        }
        if let Some((minimum, reason)) = self.minimum_si
            && si < minimum
        {
            return Err(UnitError::Unphysical {
                quantity,
                text: trimmed.to_string(),
                reason,
            });
        }
        Ok(si)
    }

    /// The unit a spelling names: an exact (case-sensitive) match first, then
    /// a case-insensitive one unless it is a different SI prefix.
    fn find(&self, unit: &str) -> Result<&Unit, UnitError> {
        let given = compact(unit);
        let exact = self
            .units
            .iter()
            .find(|u| u.spellings.iter().any(|s| compact(s) == given));
        if let Some(unit) = exact {
            return Ok(unit);
        }
        let key = normalise(unit);
        for candidate in self.units {
            for spelling in candidate.spellings {
                if normalise(spelling) != key {
                    continue;
                }
                if is_other_prefix(&given, &compact(spelling)) {
                    return Err(UnitError::AmbiguousPrefix {
                        quantity: self.quantity,
                        unit: unit.to_string(),
                        meant: spelling,
                        accepted: self.accepted(),
                    });
                }
                return Ok(candidate);
            }
        }
        Err(UnitError::UnknownUnit {
            quantity: self.quantity,
            unit: unit.to_string(),
            accepted: self.accepted(),
        })
    }
}

/// The unit without the characters that never change its meaning (spaces,
/// `·`, `*`, `.`, `^`, parentheses), superscripts as digits, micro as `u`,
/// and the degree signs of ℃ and ℉ spelled out. Case is kept.
fn compact(unit: &str) -> String {
    let mut out = String::with_capacity(unit.len());
    for c in unit.chars() {
        match c {
            c if c.is_whitespace() => {}
            '·' | '⋅' | '*' | '.' | '^' | '(' | ')' => {}
            '²' => out.push('2'),
            '³' => out.push('3'),
            'µ' | 'μ' => out.push('u'),
            '℃' => out.push_str("°C"),
            '℉' => out.push_str("°F"),
            c => out.push(c),
        }
    }
    out
}

/// [`compact`] and lower case: the key units are compared by.
fn normalise(unit: &str) -> String {
    compact(unit).to_lowercase()
}

/// True when `given` is `accepted` with only the case of its first letter
/// swapped between `m` and `M`, the rest identical: then `given` is a real SI
/// unit of another magnitude (mPa for MPa, Mm for mm), not a loose spelling.
fn is_other_prefix(given: &str, accepted: &str) -> bool {
    let (mut g, mut a) = (given.chars(), accepted.chars());
    let swapped = matches!(
        (g.next(), a.next()),
        (Some('m'), Some('M')) | (Some('M'), Some('m'))
    );
    swapped && g.as_str() == a.as_str()
}

/// Splits `"12.5e3 kg/h"` into `("12.5e3", " kg/h")`: an optional sign,
/// digits with at most one point, and an exponent only when digits follow
/// the `e`, so that a unit may start right after the number.
fn split_number(text: &str) -> (&str, &str) {
    let bytes = text.as_bytes();
    let mut end = 0;
    if matches!(bytes.first(), Some(b'+' | b'-')) {
        end = 1;
    }
    // Let the words "inf", "infinity" and "nan" reach the number parser, so
    // that they are reported as not finite rather than as a missing number.
    let rest = text.get(end..).unwrap_or("").to_ascii_lowercase();
    for word in ["infinity", "inf", "nan"] {
        if rest.starts_with(word) {
            return text.split_at(end + word.len());
        }
    }
    let mut seen_point = false;
    while let Some(&b) = bytes.get(end) {
        match b {
            b'0'..=b'9' => end += 1,
            b'.' if !seen_point => {
                seen_point = true;
                end += 1;
            }
            _ => break,
        }
    }
    if matches!(bytes.get(end), Some(b'e' | b'E')) {
        let mut exp_end = end + 1;
        if matches!(bytes.get(exp_end), Some(b'+' | b'-')) {
            exp_end += 1;
        }
        let digits_start = exp_end;
        while matches!(bytes.get(exp_end), Some(b'0'..=b'9')) {
            exp_end += 1;
        }
        if exp_end > digits_start {
            end = exp_end;
        }
    }
    text.split_at(end)
}

enum NumberProblem {
    Malformed,
    NotFinite,
}

fn parse_number(number: &str) -> Result<f64, NumberProblem> {
    let word = number.trim_start_matches(['+', '-']).to_ascii_lowercase();
    if matches!(word.as_str(), "inf" | "infinity" | "nan") {
        return Err(NumberProblem::NotFinite);
    }
    let value: f64 = number.parse().map_err(|_| NumberProblem::Malformed)?;
    if value.is_finite() {
        Ok(value)
    } else {
        Err(NumberProblem::NotFinite)
    }
}

const ABSOLUTE_ZERO: Option<(f64, &str)> = Some((0.0, "below absolute zero"));
const VACUUM: Option<(f64, &str)> =
    Some((0.0, "below absolute vacuum (a negative absolute pressure)"));

/// 1 Btu/(lb °F) in J/(kg K): the IT Btu per pound per 5/9 K (= 4186.8).
const BTU_PER_LB_F: f64 = BTU_J / POUND_KG * 9.0 / 5.0;
/// 1 Btu/(h ft °F) in W/(m K).
const BTU_PER_H_FT_F: f64 = BTU_J / 3600.0 / FOOT_M * 9.0 / 5.0;
/// 1 Btu in/(h ft² °F) in W/(m K), the unit insulation data sheets use.
const BTU_IN_PER_H_FT2_F: f64 = BTU_J * INCH_M / 3600.0 / (FOOT_M * FOOT_M) * 9.0 / 5.0;
/// 1 Btu/(h ft² °F) in W/(m² K).
const BTU_PER_H_FT2_F: f64 = BTU_J / 3600.0 / (FOOT_M * FOOT_M) * 9.0 / 5.0;
/// Standard gravity [m/s²], for the conventional millimetre of water.
const STANDARD_GRAVITY: f64 = 9.806_65;

static PRESSURE: UnitTable = UnitTable {
    quantity: "pressure",
    units: &[
        Unit {
            spellings: &["Pa", "Pa(a)"],
            to_si: |v| v,
        },
        Unit {
            spellings: &["kPa", "kPa(a)", "kPaa"],
            to_si: |v| v * 1e3,
        },
        Unit {
            spellings: &["kPag", "kPa(g)"],
            to_si: |v| v * 1e3 + STANDARD_ATMOSPHERE_PA,
        },
        Unit {
            spellings: &["MPa", "MPa(a)", "MPaa"],
            to_si: |v| v * 1e6,
        },
        Unit {
            spellings: &["MPag", "MPa(g)"],
            to_si: |v| v * 1e6 + STANDARD_ATMOSPHERE_PA,
        },
        Unit {
            spellings: &["bar", "bara", "bar(a)", "bar abs"],
            to_si: |v| v * 1e5,
        },
        Unit {
            spellings: &["barg", "bar(g)", "bar g"],
            to_si: |v| Pressure::from_barg(v).pa(),
        },
        Unit {
            spellings: &["mbar", "mbara"],
            to_si: |v| v * 100.0,
        },
        Unit {
            spellings: &["psi", "psia", "psi(a)"],
            to_si: |v| v * PSI_PA,
        },
        Unit {
            spellings: &["psig", "psi(g)"],
            to_si: |v| Pressure::from_psig(v).pa(),
        },
        Unit {
            spellings: &["atm"],
            to_si: |v| v * STANDARD_ATMOSPHERE_PA,
        },
    ],
    minimum_si: VACUUM,
};

static PRESSURE_DIFFERENCE: UnitTable = UnitTable {
    quantity: "pressure difference",
    units: &[
        Unit {
            spellings: &["Pa"],
            to_si: |v| v,
        },
        Unit {
            spellings: &["kPa"],
            to_si: |v| v * 1e3,
        },
        Unit {
            spellings: &["MPa"],
            to_si: |v| v * 1e6,
        },
        Unit {
            spellings: &["bar"],
            to_si: |v| v * 1e5,
        },
        Unit {
            spellings: &["mbar"],
            to_si: |v| v * 100.0,
        },
        Unit {
            spellings: &["psi", "psid"],
            to_si: |v| v * PSI_PA,
        },
        Unit {
            spellings: &["mmH2O", "mm H₂O", "mmWC"],
            to_si: |v| v * STANDARD_GRAVITY,
        },
    ],
    minimum_si: None,
};

static TEMPERATURE: UnitTable = UnitTable {
    quantity: "temperature",
    units: &[
        Unit {
            spellings: &["K", "kelvin"],
            to_si: |v| v,
        },
        Unit {
            spellings: &["°C", "C", "degC", "deg C", "celsius"],
            to_si: |v| v + CELSIUS_OFFSET_K,
        },
        Unit {
            spellings: &["°F", "F", "degF", "deg F", "fahrenheit"],
            to_si: |v| Temperature::from_fahrenheit(v).kelvin(),
        },
    ],
    minimum_si: ABSOLUTE_ZERO,
};

static TEMPERATURE_DIFFERENCE: UnitTable = UnitTable {
    quantity: "temperature difference",
    units: &[
        Unit {
            spellings: &["K", "ΔK", "deltaK", "delta K"],
            to_si: |v| v,
        },
        Unit {
            spellings: &[
                "°C",
                "C",
                "degC",
                "Δ°C",
                "ΔC",
                "delta°C",
                "deltaC",
                "delta C",
                "delta degC",
            ],
            to_si: |v| v,
        },
        Unit {
            spellings: &[
                "°F",
                "F",
                "degF",
                "Δ°F",
                "ΔF",
                "delta°F",
                "deltaF",
                "delta F",
                "delta degF",
            ],
            to_si: |v| v * 5.0 / 9.0,
        },
    ],
    minimum_si: None,
};

static SPECIFIC_ENTHALPY: UnitTable = UnitTable {
    quantity: "specific enthalpy",
    units: &[
        Unit {
            spellings: &["kJ/kg"],
            to_si: |v| v * 1e3,
        },
        Unit {
            spellings: &["J/kg"],
            to_si: |v| v,
        },
        Unit {
            spellings: &["MJ/kg"],
            to_si: |v| v * 1e6,
        },
        Unit {
            spellings: &["Btu/lb", "Btu/lbm"],
            to_si: |v| SpecificEnthalpy::from_btu_per_lb(v).j_per_kg(),
        },
        Unit {
            spellings: &["kcal/kg"],
            to_si: |v| v * 4186.8,
        },
    ],
    minimum_si: None,
};

/// Units of specific entropy and specific heat capacity, both J/(kg K).
const PER_KG_K_UNITS: &[Unit] = &[
    Unit {
        spellings: &["kJ/(kg K)", "kJ/kgK", "kJ/kg/K", "kJ/(kg °C)", "kJ/kg/°C"],
        to_si: |v| v * 1e3,
    },
    Unit {
        spellings: &["J/(kg K)", "J/kgK", "J/kg/K", "J/(kg °C)", "J/kg/°C"],
        to_si: |v| v,
    },
    Unit {
        spellings: &[
            "Btu/(lb °F)",
            "Btu/lb/°F",
            "Btu/(lb F)",
            "Btu/lbF",
            "Btu/(lb R)",
            "Btu/lbR",
        ],
        to_si: |v| v * BTU_PER_LB_F,
    },
];

static SPECIFIC_ENTROPY: UnitTable = UnitTable {
    quantity: "specific entropy",
    units: PER_KG_K_UNITS,
    minimum_si: None,
};

static SPECIFIC_HEAT_CAPACITY: UnitTable = UnitTable {
    quantity: "specific heat capacity",
    units: PER_KG_K_UNITS,
    minimum_si: None,
};

static SPECIFIC_VOLUME: UnitTable = UnitTable {
    quantity: "specific volume",
    units: &[
        Unit {
            spellings: &["m3/kg", "m³/kg"],
            to_si: |v| v,
        },
        Unit {
            spellings: &["L/kg", "dm3/kg"],
            to_si: |v| v * 1e-3,
        },
        Unit {
            spellings: &["ft3/lb", "ft³/lb"],
            to_si: |v| v * FOOT_M.powi(3) / POUND_KG,
        },
    ],
    minimum_si: None,
};

static DENSITY: UnitTable = UnitTable {
    quantity: "density",
    units: &[
        Unit {
            spellings: &["kg/m3", "kg/m³"],
            to_si: |v| v,
        },
        Unit {
            spellings: &["g/cm3", "g/cm³", "kg/L", "kg/dm3"],
            to_si: |v| v * 1e3,
        },
        Unit {
            spellings: &["lb/ft3", "lb/ft³"],
            to_si: |v| v * POUND_KG / FOOT_M.powi(3),
        },
    ],
    minimum_si: None,
};

static VELOCITY: UnitTable = UnitTable {
    quantity: "velocity",
    units: &[
        Unit {
            spellings: &["m/s"],
            to_si: |v| v,
        },
        Unit {
            spellings: &["km/h", "kph"],
            to_si: |v| v / 3.6,
        },
        Unit {
            spellings: &["ft/s", "fps"],
            to_si: |v| v * FOOT_M,
        },
        Unit {
            spellings: &["ft/min", "fpm"],
            to_si: |v| v * FOOT_M / 60.0,
        },
        Unit {
            spellings: &["mph"],
            to_si: |v| v * 1609.344 / 3600.0,
        },
    ],
    minimum_si: None,
};

static MASS_FLOW: UnitTable = UnitTable {
    quantity: "mass flow",
    units: &[
        Unit {
            spellings: &["kg/s"],
            to_si: |v| v,
        },
        Unit {
            spellings: &["kg/h", "kg/hr"],
            to_si: |v| MassFlow::from_kg_per_h(v).kg_per_s(),
        },
        Unit {
            spellings: &["t/h", "t/hr", "tph", "te/h"],
            to_si: |v| MassFlow::from_t_per_h(v).kg_per_s(),
        },
        Unit {
            spellings: &["lb/h", "lb/hr", "lbs/h", "lbm/h", "pph"],
            to_si: |v| MassFlow::from_lb_per_h(v).kg_per_s(),
        },
        Unit {
            spellings: &["klb/h", "klb/hr", "kpph"],
            to_si: |v| MassFlow::from_lb_per_h(v * 1e3).kg_per_s(),
        },
    ],
    minimum_si: None,
};

static LENGTH: UnitTable = UnitTable {
    quantity: "length",
    units: &[
        Unit {
            spellings: &["m"],
            to_si: |v| v,
        },
        Unit {
            spellings: &["mm"],
            to_si: |v| v * 1e-3,
        },
        Unit {
            spellings: &["cm"],
            to_si: |v| v * 1e-2,
        },
        Unit {
            spellings: &["in", "inch", "inches", "\""],
            to_si: |v| v * INCH_M,
        },
        Unit {
            spellings: &["ft", "foot", "feet", "'"],
            to_si: |v| v * FOOT_M,
        },
    ],
    minimum_si: None,
};

static AREA: UnitTable = UnitTable {
    quantity: "area",
    units: &[
        Unit {
            spellings: &["m2", "m²"],
            to_si: |v| v,
        },
        Unit {
            spellings: &["cm2", "cm²"],
            to_si: |v| v * 1e-4,
        },
        Unit {
            spellings: &["mm2", "mm²"],
            to_si: |v| v * 1e-6,
        },
        Unit {
            spellings: &["in2", "in²", "sq in"],
            to_si: |v| v * INCH_M * INCH_M,
        },
        Unit {
            spellings: &["ft2", "ft²", "sq ft"],
            to_si: |v| v * FOOT_M * FOOT_M,
        },
    ],
    minimum_si: None,
};

static POWER: UnitTable = UnitTable {
    quantity: "power",
    units: &[
        Unit {
            spellings: &["W"],
            to_si: |v| v,
        },
        Unit {
            spellings: &["kW"],
            to_si: |v| v * 1e3,
        },
        Unit {
            spellings: &["MW"],
            to_si: |v| v * 1e6,
        },
        Unit {
            spellings: &["Btu/h", "Btu/hr"],
            to_si: |v| Power::from_btu_per_h(v).w(),
        },
        Unit {
            spellings: &["MMBtu/h", "MMBtu/hr"],
            to_si: |v| Power::from_btu_per_h(v * 1e6).w(),
        },
    ],
    minimum_si: None,
};

static LINEAR_HEAT_FLOW: UnitTable = UnitTable {
    quantity: "heat flow per length",
    units: &[
        Unit {
            spellings: &["W/m"],
            to_si: |v| v,
        },
        Unit {
            spellings: &["kW/m"],
            to_si: |v| v * 1e3,
        },
        Unit {
            spellings: &["Btu/(h ft)", "Btu/h/ft", "Btu/hft", "Btu/(hr ft)"],
            to_si: |v| v * BTU_J / 3600.0 / FOOT_M,
        },
    ],
    minimum_si: None,
};

static ENERGY: UnitTable = UnitTable {
    quantity: "energy",
    units: &[
        Unit {
            spellings: &["J"],
            to_si: |v| v,
        },
        Unit {
            spellings: &["kJ"],
            to_si: |v| v * 1e3,
        },
        Unit {
            spellings: &["MJ"],
            to_si: |v| v * 1e6,
        },
        Unit {
            spellings: &["GJ"],
            to_si: |v| v * 1e9,
        },
        Unit {
            spellings: &["kWh"],
            to_si: |v| v * 3.6e6,
        },
        Unit {
            spellings: &["MWh"],
            to_si: |v| v * 3.6e9,
        },
        Unit {
            spellings: &["GWh"],
            to_si: |v| v * 3.6e12,
        },
        Unit {
            spellings: &["Btu"],
            to_si: |v| v * BTU_J,
        },
        Unit {
            spellings: &["MMBtu"],
            to_si: |v| v * BTU_J * 1e6,
        },
        Unit {
            spellings: &["therm", "thm"],
            to_si: |v| v * BTU_J * 1e5,
        },
    ],
    minimum_si: None,
};

static THERMAL_CONDUCTIVITY: UnitTable = UnitTable {
    quantity: "thermal conductivity",
    units: &[
        Unit {
            spellings: &["W/(m K)", "W/mK", "W/m/K", "W/(m °C)"],
            to_si: |v| v,
        },
        Unit {
            spellings: &["mW/(m K)", "mW/mK", "mW/m/K"],
            to_si: |v| v * 1e-3,
        },
        Unit {
            spellings: &["Btu/(h ft °F)", "Btu/hftF", "Btu/(hr ft °F)", "Btu/h/ft/°F"],
            to_si: |v| v * BTU_PER_H_FT_F,
        },
        Unit {
            spellings: &[
                "Btu in/(h ft2 °F)",
                "Btu in/(hr ft2 °F)",
                "Btu in/h/ft2/°F",
                "Btu in/hft2F",
            ],
            to_si: |v| v * BTU_IN_PER_H_FT2_F,
        },
    ],
    minimum_si: None,
};

static HEAT_TRANSFER_COEFFICIENT: UnitTable = UnitTable {
    quantity: "heat transfer coefficient",
    units: &[
        Unit {
            spellings: &["W/(m2 K)", "W/m2K", "W/m2/K", "W/(m2 °C)"],
            to_si: |v| v,
        },
        Unit {
            spellings: &["kW/(m2 K)", "kW/m2K", "kW/m2/K"],
            to_si: |v| v * 1e3,
        },
        Unit {
            spellings: &[
                "Btu/(h ft2 °F)",
                "Btu/hft2F",
                "Btu/(hr ft2 °F)",
                "Btu/h/ft2/°F",
            ],
            to_si: |v| v * BTU_PER_H_FT2_F,
        },
    ],
    minimum_si: None,
};

static DYNAMIC_VISCOSITY: UnitTable = UnitTable {
    quantity: "dynamic viscosity",
    units: &[
        Unit {
            spellings: &["Pa s", "Pas", "kg/(m s)", "N s/m2"],
            to_si: |v| v,
        },
        Unit {
            spellings: &["mPa s", "mPas"],
            to_si: |v| v * 1e-3,
        },
        Unit {
            spellings: &["µPa s", "uPa s", "uPas"],
            to_si: |v| v * 1e-6,
        },
        Unit {
            spellings: &["cP", "centipoise"],
            to_si: |v| v * 1e-3,
        },
    ],
    minimum_si: None,
};

static DURATION: UnitTable = UnitTable {
    quantity: "duration",
    units: &[
        Unit {
            spellings: &["s", "sec"],
            to_si: |v| v,
        },
        Unit {
            spellings: &["min"],
            to_si: |v| v * 60.0,
        },
        Unit {
            spellings: &["h", "hr", "hours", "hour"],
            to_si: |v| v * 3600.0,
        },
        Unit {
            spellings: &["d", "day", "days"],
            to_si: |v| Duration::from_days(v).s(),
        },
        Unit {
            spellings: &["years", "year", "yr", "y"],
            to_si: |v| Duration::from_years(v).s(),
        },
    ],
    minimum_si: None,
};

macro_rules! parse_via {
    ($($ty:ident => $table:ident / $from_si:ident),* $(,)?) => {
        $(
            impl ParseQuantity for $ty {
                fn parse_quantity(text: &str) -> Result<Self, UnitError> {
                    $table.parse_si(text).map($ty::$from_si)
                }
            }

            impl FromStr for $ty {
                type Err = UnitError;
                fn from_str(text: &str) -> Result<Self, UnitError> {
                    Self::parse_quantity(text)
                }
            }
        )*
    };
}

parse_via! {
    Pressure => PRESSURE / from_pa,
    PressureDifference => PRESSURE_DIFFERENCE / from_pa,
    Temperature => TEMPERATURE / from_kelvin,
    TemperatureDifference => TEMPERATURE_DIFFERENCE / from_kelvin,
    SpecificEnthalpy => SPECIFIC_ENTHALPY / from_j_per_kg,
    SpecificEntropy => SPECIFIC_ENTROPY / from_j_per_kg_k,
    SpecificHeatCapacity => SPECIFIC_HEAT_CAPACITY / from_j_per_kg_k,
    SpecificVolume => SPECIFIC_VOLUME / from_m3_per_kg,
    Density => DENSITY / from_kg_per_m3,
    Velocity => VELOCITY / from_m_per_s,
    MassFlow => MASS_FLOW / from_kg_per_s,
    Length => LENGTH / from_m,
    Area => AREA / from_m2,
    Power => POWER / from_w,
    LinearHeatFlow => LINEAR_HEAT_FLOW / from_w_per_m,
    Energy => ENERGY / from_j,
    ThermalConductivity => THERMAL_CONDUCTIVITY / from_w_per_m_k,
    HeatTransferCoefficient => HEAT_TRANSFER_COEFFICIENT / from_w_per_m2_k,
    DynamicViscosity => DYNAMIC_VISCOSITY / from_pa_s,
    Duration => DURATION / from_s,
}

#[cfg(test)]
mod tests;
