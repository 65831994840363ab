//! The report kinds and the period each covers.

use serde::{Deserialize, Serialize};

/// One day [ms].
pub const DAY_MS: i64 = 86_400_000;

/// What a report is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// Daily operational summary for the shift lead.
    Daily,
    /// Weekly analysis for the energy engineer.
    Weekly,
    /// Monthly energy audit for plant management.
    Monthly,
    /// Annual energy review in the ISO 50001 spirit.
    Annual,
}

impl ReportKind {
    /// Every kind.
    pub const ALL: [ReportKind; 4] = [
        ReportKind::Daily,
        ReportKind::Weekly,
        ReportKind::Monthly,
        ReportKind::Annual,
    ];

    /// The kind's name (`monthly`).
    pub fn name(self) -> &'static str {
        match self {
            ReportKind::Daily => "daily",
            ReportKind::Weekly => "weekly",
            ReportKind::Monthly => "monthly",
            ReportKind::Annual => "annual",
        }
    }

    /// The kind named `name`.
    pub fn from_name(name: &str) -> Option<ReportKind> {
        ReportKind::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// The report's title.
    pub fn title(self) -> &'static str {
        match self {
            ReportKind::Daily => "Daily operational summary",
            ReportKind::Weekly => "Weekly steam system analysis",
            ReportKind::Monthly => "Monthly energy audit",
            ReportKind::Annual => "Annual energy review (ISO 50001)",
        }
    }

    /// The nominal length of the period [ms] (a month is 30 days, a year 365).
    pub fn period_ms(self) -> i64 {
        match self {
            ReportKind::Daily => DAY_MS,
            ReportKind::Weekly => 7 * DAY_MS,
            ReportKind::Monthly => 30 * DAY_MS,
            ReportKind::Annual => 365 * DAY_MS,
        }
    }
}

impl std::str::FromStr for ReportKind {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        ReportKind::from_name(name).ok_or_else(|| {
            format!("unknown report kind `{name}`: daily, weekly, monthly or annual")
        })
    }
}
