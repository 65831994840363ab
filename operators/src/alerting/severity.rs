//! How urgent an alert is: the seed design's four levels.

use std::fmt;

/// How urgent an alert is (ordered: `Low < Medium < High < Critical`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Severity {
    /// Informational (a maintenance reminder).
    Low,
    /// A moderate issue (degraded performance).
    Medium,
    /// A significant loss or failure (the seed: above $1000 a day).
    High,
    /// Immediate action required (safety).
    Critical,
}

impl Severity {
    /// Every level, least urgent first.
    pub const ALL: [Severity; 4] = [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The snake_case name used in configs (`"critical"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordered_by_urgency() {
        assert!(Severity::Low < Severity::Medium);
        assert!(Severity::High < Severity::Critical);
        assert_eq!(
            Severity::ALL.map(Severity::as_str),
            ["low", "medium", "high", "critical"]
        );
    }
}
