//! Candidate projects from one plant's analysis.
//!
//! | loss found | candidate | savings | cost |
//! |---|---|---|---|
//! | a trap blown open or leaking | repair or replace it | its steam loss | `trap_repair` |
//! | a trap blocked | repair it | none in steam: it floods its equipment | `trap_repair` |
//! | a leak on a segment (or unlocated) | repair it | its steam loss | `leak_repair_base + per_mm × hole` |
//! | a bare segment | insulate it | bare − insulated heat loss | `insulation_per_m × length` |
//! | recovery below the target | return more condensate | heat above make-up water, water and treatment | `condensate_per_kg_h × gain` |
//! | a header above the least its consumers need | lower its set point | the mains' heat loss in proportion to ΔT to ambient | `pressure_change` |
//!
//! Savings come priced from the analysis where it prices them (traps,
//! leaks); heat is priced at the plant's price of steam energy, and CO2
//! follows fuel: kW × hours / η × emission factor.
//!
//! Savings are taken as additive: each candidate removes a loss no other
//! candidate removes (a pressure change is credited only with the mains'
//! heat loss, not with the trap and leak losses repairs remove anyway).

use crate::candidate::{Candidate, Difficulty, HeaderChange, ProjectKind, Savings};

/// Prices of one plant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Prices {
    /// Money per kWh of steam energy lost (steam cost per tonne over its
    /// enthalpy above make-up water).
    pub money_per_kwh: f64,
    /// Tonnes of CO2 per MWh of steam energy (emission factor over boiler
    /// efficiency).
    pub co2_t_per_mwh: f64,
    /// Make-up water and treatment per tonne.
    pub water_per_t: f64,
    /// Hours a year under steam.
    pub hours_per_year: f64,
    /// Share of the steam cost that is fuel and carbon.
    pub fuel_share: f64,
}

impl Prices {
    fn of_heat(&self, kw: f64) -> (f64, f64) {
        let mwh = kw * self.hours_per_year / 1000.0;
        (mwh * 1000.0 * self.money_per_kwh, mwh * self.co2_t_per_mwh)
    }
}

/// What projects cost: the plant's figures, or these defaults (US
/// averages of the order of the DOE Steam Tip Sheets' examples).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CostAssumptions {
    /// Repair or replace one trap, installed.
    pub trap_repair: f64,
    /// Repair a leak: the fixed part (access, isolation, permit).
    pub leak_repair_base: f64,
    /// Repair a leak: per mm of equivalent hole.
    pub leak_repair_per_mm: f64,
    /// Insulation per metre of pipe, installed.
    pub insulation_per_m: f64,
    /// Insulation thickness proposed for bare pipe \[mm\].
    pub insulation_thickness_mm: f64,
    /// Condensate return capacity per kg/h (pumps, piping).
    pub condensate_per_kg_h: f64,
    /// Condensate recovery a return project aims for, a fraction.
    pub condensate_target: f64,
    /// An engineering study and control change to lower a header's pressure.
    pub pressure_change: f64,
}

impl Default for CostAssumptions {
    fn default() -> Self {
        CostAssumptions {
            trap_repair: 400.0,
            leak_repair_base: 500.0,
            leak_repair_per_mm: 100.0,
            insulation_per_m: 60.0,
            insulation_thickness_mm: 50.0,
            condensate_per_kg_h: 15.0,
            condensate_target: 0.9,
            pressure_change: 5_000.0,
        }
    }
}

/// A trap that has failed.
#[derive(Clone, Debug, PartialEq)]
pub struct FailedTrap {
    /// Its id.
    pub id: String,
    /// Its type (`float_thermostatic`).
    pub trap_type: String,
    /// Its state (`blown_open`, `leaking`, `blocked`).
    pub state: String,
    /// Confidence in the state, 0 to 1.
    pub confidence: f64,
    /// Steam lost \[kg/h\].
    pub loss_kg_h: f64,
    /// Energy lost \[kW\].
    pub loss_kw: f64,
    /// Money lost a year.
    pub cost_per_year: f64,
}

/// A leak found.
#[derive(Clone, Debug, PartialEq)]
pub struct LeakFound {
    /// Its segment; `None` when only the balance sees it.
    pub segment: Option<String>,
    /// Steam leaking \[kg/h\].
    pub loss_kg_h: f64,
    /// Energy \[kW\].
    pub loss_kw: f64,
    /// Money a year.
    pub cost_per_year: f64,
    /// Equivalent hole \[mm\], when sized acoustically.
    pub equivalent_diameter_mm: Option<f64>,
    /// Confidence, 0 to 1.
    pub confidence: f64,
}

/// A pipe segment without insulation.
#[derive(Clone, Debug, PartialEq)]
pub struct BareSegment {
    /// Its id.
    pub id: String,
    /// Its length \[m\].
    pub length_m: f64,
    /// Heat lost bare \[kW\].
    pub bare_kw: f64,
    /// Heat lost once insulated \[kW\].
    pub insulated_kw: f64,
    /// Steam condensed by the difference \[kg/h\].
    pub steam_kg_h: f64,
}

/// Condensate formed and returned.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CondensateState {
    /// Formed \[kg/h\].
    pub produced_kg_h: f64,
    /// Returned \[kg/h\].
    pub returned_kg_h: f64,
    /// Heat of a kg/h returned above make-up water \[kW per kg/h\].
    pub heat_kw_per_kg_h: f64,
}

/// A header whose pressure might be lowered.
#[derive(Clone, Debug, PartialEq)]
pub struct HeaderOption {
    /// The header.
    pub header: String,
    /// Its operating pressure \[barg\].
    pub operating_barg: f64,
    /// The least its consumers allow \[barg\].
    pub min_allowed_barg: f64,
    /// Heat lost by the mains it feeds \[kW\].
    pub mains_heat_loss_kw: f64,
    /// Saturation temperature at the operating pressure \[°C\].
    pub saturation_c: f64,
    /// Saturation temperature at the least pressure allowed \[°C\].
    pub saturation_at_min_c: f64,
    /// Ambient temperature \[°C\].
    pub ambient_c: f64,
}

/// One plant's analysis, as the candidates need it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Situation {
    /// Failed traps.
    pub failed_traps: Vec<FailedTrap>,
    /// Leaks.
    pub leaks: Vec<LeakFound>,
    /// Bare segments.
    pub bare_segments: Vec<BareSegment>,
    /// Condensate, when the balance could form it.
    pub condensate: Option<CondensateState>,
    /// Headers that could run lower.
    pub headers: Vec<HeaderOption>,
}

/// Every candidate project of a situation, in a stable order.
pub fn candidates(s: &Situation, prices: &Prices, costs: &CostAssumptions) -> Vec<Candidate> {
    let mut out = Vec::new();
    for t in &s.failed_traps {
        let blocked = t.state == "blocked";
        let co2 = prices.of_heat(t.loss_kw).1;
        out.push(Candidate {
            id: format!("repair_trap:{}", t.id),
            kind: ProjectKind::RepairTrap,
            asset: t.id.clone(),
            action: format!(
                "Repair or replace steam trap {} ({}), found {}",
                t.id,
                t.trap_type.replace('_', " "),
                t.state.replace('_', " ")
            ),
            capex: costs.trap_repair,
            savings: Savings {
                steam_kg_h: t.loss_kg_h,
                energy_kw: t.loss_kw,
                money_per_year: t.cost_per_year,
                co2_t_per_year: co2,
            },
            fuel_share: prices.fuel_share,
            condensate_gain_kg_h: 0.0,
            header_change: None,
            exclusive_group: None,
            difficulty: Difficulty::Low,
            operational_impact: if blocked {
                "isolate the trap for an hour; until then its equipment floods with condensate and loses heat-transfer capacity".to_owned()
            } else {
                "isolate the trap for an hour; a bypass keeps the line drained".to_owned()
            },
            basis: format!(
                "{} at {:.0} % confidence; steam loss {:.0} kg/h from the orifice flow of the trap's state",
                t.state.replace('_', " "),
                t.confidence * 100.0,
                t.loss_kg_h
            ),
        });
    }
    for (n, l) in s.leaks.iter().enumerate() {
        let hole = l.equivalent_diameter_mm.unwrap_or(3.0);
        let (asset, action) = match &l.segment {
            Some(seg) => (
                seg.clone(),
                format!("Repair the steam leak on segment {seg} (≈ {hole:.1} mm hole)"),
            ),
            None => (
                format!("unlocated_{}", n + 1),
                "Survey the mains ultrasonically and repair the leak the mass balance sees"
                    .to_owned(),
            ),
        };
        out.push(Candidate {
            id: format!("fix_leak:{asset}"),
            kind: ProjectKind::FixLeak,
            asset,
            action,
            capex: costs.leak_repair_base + costs.leak_repair_per_mm * hole,
            savings: Savings {
                steam_kg_h: l.loss_kg_h,
                energy_kw: l.loss_kw,
                money_per_year: l.cost_per_year,
                co2_t_per_year: prices.of_heat(l.loss_kw).1,
            },
            fuel_share: prices.fuel_share,
            condensate_gain_kg_h: 0.0,
            header_change: None,
            exclusive_group: None,
            difficulty: if l.segment.is_some() {
                Difficulty::Medium
            } else {
                Difficulty::High
            },
            operational_impact: "isolate and depressurise the segment, or clamp the leak live"
                .to_owned(),
            basis: format!(
                "{:.0} kg/h at {:.0} % confidence",
                l.loss_kg_h,
                l.confidence * 100.0
            ),
        });
    }
    for b in &s.bare_segments {
        let kw = (b.bare_kw - b.insulated_kw).max(0.0);
        let (money, co2) = prices.of_heat(kw);
        out.push(Candidate {
            id: format!("insulate:{}", b.id),
            kind: ProjectKind::Insulate,
            asset: b.id.clone(),
            action: format!(
                "Insulate bare segment {} ({:.0} m, {:.0} mm mineral wool)",
                b.id, b.length_m, costs.insulation_thickness_mm
            ),
            capex: costs.insulation_per_m * b.length_m,
            savings: Savings {
                steam_kg_h: b.steam_kg_h,
                energy_kw: kw,
                money_per_year: money,
                co2_t_per_year: co2,
            },
            fuel_share: prices.fuel_share,
            condensate_gain_kg_h: 0.0,
            header_change: None,
            exclusive_group: None,
            difficulty: Difficulty::Low,
            operational_impact: "none: insulation goes on while the line runs".to_owned(),
            basis: format!(
                "heat loss {:.1} kW bare, {:.1} kW insulated (radiation and natural convection)",
                b.bare_kw, b.insulated_kw
            ),
        });
    }
    if let Some(c) = s.condensate
        && c.produced_kg_h > 0.0
    {
        let gain = costs.condensate_target * c.produced_kg_h - c.returned_kg_h;
        if gain > 0.0 {
            let kw = gain * c.heat_kw_per_kg_h;
            let (heat_money, co2) = prices.of_heat(kw);
            let water = gain / 1000.0 * prices.hours_per_year * prices.water_per_t;
            let money = heat_money + water;
            out.push(Candidate {
                id: "raise_condensate_recovery:plant".to_owned(),
                kind: ProjectKind::RaiseCondensateRecovery,
                asset: "condensate system".to_owned(),
                action: format!(
                    "Return {gain:.0} kg/h more condensate: recovery {:.0} % → {:.0} %",
                    c.returned_kg_h / c.produced_kg_h * 100.0,
                    costs.condensate_target * 100.0
                ),
                capex: costs.condensate_per_kg_h * gain,
                savings: Savings {
                    steam_kg_h: gain,
                    energy_kw: kw,
                    money_per_year: money,
                    co2_t_per_year: co2,
                },
                fuel_share: if money > 0.0 {
                    heat_money / money * prices.fuel_share
                } else {
                    0.0
                },
                condensate_gain_kg_h: gain,
                header_change: None,
                exclusive_group: None,
                difficulty: Difficulty::High,
                operational_impact: "new return piping and a pump; tie-ins at a planned shutdown"
                    .to_owned(),
                basis: format!(
                    "{gain:.0} kg/h of condensate at {:.3} kW per kg/h above make-up water, plus its water and treatment",
                    c.heat_kw_per_kg_h
                ),
            });
        }
    }
    for h in &s.headers {
        let span = h.saturation_c - h.ambient_c;
        if h.min_allowed_barg >= h.operating_barg || span <= 0.0 {
            continue;
        }
        let step = (h.operating_barg - h.min_allowed_barg).min(0.5);
        let mut levels = vec![h.operating_barg - step];
        if h.min_allowed_barg < h.operating_barg - step - 1e-9 {
            levels.push(h.min_allowed_barg);
        }
        for to in levels {
            // Saturation temperature at `to`, interpolated between the two
            // known points: close enough for a heat-loss proportion.
            let frac = (h.operating_barg - to) / (h.operating_barg - h.min_allowed_barg);
            let t_new = h.saturation_c - frac * (h.saturation_c - h.saturation_at_min_c);
            let kw = h.mains_heat_loss_kw * (h.saturation_c - t_new) / span;
            let (money, co2) = prices.of_heat(kw);
            out.push(Candidate {
                id: format!("lower_header_pressure:{}@{to:.2}", h.header),
                kind: ProjectKind::LowerHeaderPressure,
                asset: h.header.clone(),
                action: format!(
                    "Lower header {} from {:.1} to {to:.1} barg",
                    h.header, h.operating_barg
                ),
                capex: costs.pressure_change,
                savings: Savings {
                    steam_kg_h: 0.0,
                    energy_kw: kw,
                    money_per_year: money,
                    co2_t_per_year: co2,
                },
                fuel_share: prices.fuel_share,
                condensate_gain_kg_h: 0.0,
                header_change: Some(HeaderChange {
                    header: h.header.clone(),
                    from_barg: h.operating_barg,
                    to_barg: to,
                }),
                exclusive_group: Some(format!("header:{}", h.header)),
                difficulty: Difficulty::High,
                operational_impact: format!(
                    "consumers on {} must be confirmed to meet their duty at {to:.1} barg; control valves open further",
                    h.header
                ),
                basis: format!(
                    "mains heat loss {:.1} kW scales with the steam's temperature above ambient ({:.0} → {t_new:.0} °C)",
                    h.mains_heat_loss_kw, h.saturation_c
                ),
            });
        }
    }
    out
}
