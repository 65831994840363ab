//! A candidate project: one thing a plant could do about one loss.

/// What kind of project.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProjectKind {
    /// Repair or replace a failed steam trap.
    RepairTrap,
    /// Repair a steam leak.
    FixLeak,
    /// Insulate a bare pipe segment.
    Insulate,
    /// Return more condensate to the boiler house.
    RaiseCondensateRecovery,
    /// Run a header at a lower pressure.
    LowerHeaderPressure,
}

impl ProjectKind {
    /// Its name in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            ProjectKind::RepairTrap => "repair_trap",
            ProjectKind::FixLeak => "fix_leak",
            ProjectKind::Insulate => "insulate",
            ProjectKind::RaiseCondensateRecovery => "raise_condensate_recovery",
            ProjectKind::LowerHeaderPressure => "lower_header_pressure",
        }
    }
}

/// How hard a project is to carry out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Difficulty {
    /// A maintenance crew in a shift, no shutdown.
    Low,
    /// Planned work: isolation, a permit, or a contractor.
    Medium,
    /// An engineering change: design, a management-of-change review.
    High,
}

impl Difficulty {
    /// Its name in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Difficulty::Low => "low",
            Difficulty::Medium => "medium",
            Difficulty::High => "high",
        }
    }
}

/// What a project saves, at the plant's prices, while it runs.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Savings {
    /// Steam (or water) no longer lost \[kg/h\].
    pub steam_kg_h: f64,
    /// Energy no longer lost \[kW\].
    pub energy_kw: f64,
    /// Money a year.
    pub money_per_year: f64,
    /// CO2 no longer emitted \[t/year\].
    pub co2_t_per_year: f64,
}

/// A header's pressure set to a new value.
#[derive(Clone, Debug, PartialEq)]
pub struct HeaderChange {
    /// The header.
    pub header: String,
    /// Its operating pressure now \[barg\].
    pub from_barg: f64,
    /// The new operating pressure \[barg\].
    pub to_barg: f64,
}

/// One candidate project.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// Unique id within the plant: `<kind>:<asset>` (`repair_trap:t_digester`).
    pub id: String,
    /// Its kind.
    pub kind: ProjectKind,
    /// The asset it acts on (trap, segment, header, condensate system).
    pub asset: String,
    /// What to do, one imperative sentence.
    pub action: String,
    /// Investment (plant currency).
    pub capex: f64,
    /// What it saves.
    pub savings: Savings,
    /// Share of the money saved that is fuel and carbon (the rest is water
    /// and treatment), for the fuel-price sensitivity.
    pub fuel_share: f64,
    /// Condensate returned in addition \[kg/h\].
    pub condensate_gain_kg_h: f64,
    /// The header pressure it changes, if any.
    pub header_change: Option<HeaderChange>,
    /// Candidates of one group are alternatives: at most one is chosen
    /// (two pressure levels for the same header).
    pub exclusive_group: Option<String>,
    /// How hard it is.
    pub difficulty: Difficulty,
    /// What it does to operations while and after it is done.
    pub operational_impact: String,
    /// How the savings were estimated, in words.
    pub basis: String,
}

impl Candidate {
    /// True when it takes part in a constraint other than the budget (the
    /// optimizer enumerates these exactly, outside its dynamic programme).
    pub fn is_constrained(&self) -> bool {
        self.condensate_gain_kg_h != 0.0
            || self.header_change.is_some()
            || self.exclusive_group.is_some()
    }
}
