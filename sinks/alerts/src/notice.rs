//! What channels deliver: notices (an alert and what happened to it),
//! gathered in messages — one e-mail, one Slack post, one webhook call.

use std::fmt::Write as _;

use serde::Serialize;

use crate::alert::Alert;

/// What happened to an alert.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// It fired (or was escalated: see [`Notice::escalated`]).
    Firing,
    /// Still firing: the rule's `repeat_secs` reminder.
    Reminder,
    /// It resolved.
    Resolved,
    /// A late reading withdrew it: it should not have fired.
    Withdrawn,
    /// Someone acknowledged it.
    Acknowledged,
}

impl Status {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Firing => "firing",
            Status::Reminder => "reminder",
            Status::Resolved => "resolved",
            Status::Withdrawn => "withdrawn",
            Status::Acknowledged => "acknowledged",
        }
    }

    /// Whether the alert is over.
    pub fn closes(self) -> bool {
        matches!(self, Status::Resolved | Status::Withdrawn)
    }
}

/// One alert and what happened to it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Notice {
    /// What happened.
    pub status: Status,
    /// The alert.
    #[serde(flatten)]
    pub alert: Alert,
    /// Sent because nobody acknowledged it in time.
    pub escalated: bool,
    /// Who acknowledged it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledged_by: Option<String>,
}

impl Notice {
    /// One line: `FIRING high traps/north/T-101: trap T-101 blown open`.
    pub fn line(&self) -> String {
        let mut line = format!(
            "{}{} {} {}: {}",
            if self.escalated { "ESCALATED " } else { "" },
            self.status.as_str().to_uppercase(),
            self.alert.severity,
            self.alert.dedup_key,
            self.alert.message
        );
        if let Some(by) = &self.acknowledged_by {
            let _ = write!(line, " (by {by})");
        }
        line
    }
}

/// The notices one channel delivers at once (a group window's worth).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Message {
    /// The notices, in the order they were made.
    pub notices: Vec<Notice>,
}

impl Message {
    /// A short title: the one notice's line, or counts by status.
    pub fn summary(&self) -> String {
        match self.notices.as_slice() {
            [one] => one.line(),
            notices => {
                let mut counts: Vec<(Status, usize)> = Vec::new();
                for notice in notices {
                    match counts.iter_mut().find(|(s, _)| *s == notice.status) {
                        Some((_, n)) => *n += 1,
                        None => counts.push((notice.status, 1)),
                    }
                }
                let parts: Vec<String> = counts
                    .iter()
                    .map(|(status, n)| format!("{n} {}", status.as_str()))
                    .collect();
                format!("{} alerts: {}", notices.len(), parts.join(", "))
            }
        }
    }
}
