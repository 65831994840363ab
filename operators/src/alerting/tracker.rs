//! The state machine of one alert key: pending, firing, clearing, resolved.
//!
//! ```text
//!            holds                 held for_secs            stops holding
//!   Idle ───────────▶ Pending ─────────────────▶ Firing ─────────────────▶ Clearing
//!    ▲                  │ stops holding   (Firing)  ▲ │ every repeat_secs      │ │
//!    └──────────────────┘                           │ └─▶ (Repeat)             │ │
//!    ▲                                              └───── holds again ────────┘ │
//!    └──────────────────────── gone clear_for_secs (Resolved) ───────────────────┘
//! ```
//!
//! - **Firing** is emitted once the condition has held for `for_secs`
//!   (at once when 0), measured from the first observation that held.
//! - **Resolved** is emitted once the condition has been gone for
//!   `clear_for_secs` (at once when 0). If it comes back meanwhile the
//!   alert simply stays firing: a signal that flaps faster than
//!   `clear_for_secs` pages once, not at every flap.
//! - **Repeat** is emitted while the condition holds and `repeat_secs`
//!   have passed since the last notification (absent: never).
//!
//! Time is the observations' event time in ms. An observation older than
//! the last one is refused ([`OutOfOrderObservation`]) and changes
//! nothing — the machine never rewrites what it already notified; equal
//! times are accepted in arrival order (several readings of one
//! millisecond). Time only moves on observations: a key that stops
//! reporting keeps its state until it reports again.

use std::fmt;

use super::severity::Severity;

/// What an alert is about, the de-duplication key: one state machine, and
/// at most one open alert, per rule, plant and asset.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AlertKey {
    /// The rule's id (`[alerts.<id>]`).
    pub rule: String,
    /// The plant's id.
    pub plant: String,
    /// The asset (trap, segment, header id; a tag; empty for the plant itself).
    pub asset: String,
}

impl AlertKey {
    /// A key from its three parts.
    pub fn new(
        rule: impl Into<String>,
        plant: impl Into<String>,
        asset: impl Into<String>,
    ) -> Self {
        AlertKey {
            rule: rule.into(),
            plant: plant.into(),
            asset: asset.into(),
        }
    }
}

impl fmt::Display for AlertKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.asset.is_empty() {
            write!(f, "{}/{}", self.rule, self.plant)
        } else {
            write!(f, "{}/{}/{}", self.rule, self.plant, self.asset)
        }
    }
}

/// The timing and urgency of a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AlertPolicy {
    /// How urgent.
    pub severity: Severity,
    /// How long the condition must hold before firing \[ms\].
    pub for_ms: u64,
    /// How long it must be gone before resolving \[ms\].
    pub clear_for_ms: u64,
    /// Notify again this often while it holds \[ms\]; `None`: once.
    pub repeat_ms: Option<u64>,
}

impl AlertPolicy {
    /// A policy from the config's seconds (`for_secs`, `clear_for_secs`, `repeat_secs`).
    pub fn from_secs(
        severity: Severity,
        for_secs: u64,
        clear_for_secs: u64,
        repeat_secs: Option<u64>,
    ) -> Self {
        let ms = |s: u64| s.saturating_mul(1000);
        AlertPolicy {
            severity,
            for_ms: ms(for_secs),
            clear_for_ms: ms(clear_for_secs),
            repeat_ms: repeat_secs.filter(|&s| s > 0).map(ms),
        }
    }

    /// Fires and resolves at once, never repeats.
    pub fn immediate(severity: Severity) -> Self {
        AlertPolicy::from_secs(severity, 0, 0, None)
    }
}

/// The kind of a notification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum EventKind {
    /// The alert fired.
    Firing,
    /// It is still firing (a reminder).
    Repeat,
    /// It resolved.
    Resolved,
}

impl EventKind {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Firing => "firing",
            EventKind::Repeat => "repeat",
            EventKind::Resolved => "resolved",
        }
    }
}

/// A notification.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertEvent {
    /// What it is about.
    pub key: AlertKey,
    /// How urgent.
    pub severity: Severity,
    /// Fired, repeated or resolved.
    pub kind: EventKind,
    /// Event time of the observation that caused it \[ms\].
    pub time_ms: i64,
    /// The value observed then.
    pub value: f64,
    /// When the alert fired \[ms\] (its own time for a Firing event).
    pub fired_at_ms: i64,
    /// One line for the people paged.
    pub message: String,
}

/// Where an alert key stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlertPhase {
    /// Quiet.
    Idle,
    /// The condition holds, not yet for long enough.
    Pending {
        /// First observation that held \[ms\].
        since_ms: i64,
    },
    /// Firing, and the condition holds.
    Firing {
        /// When it fired \[ms\].
        fired_at_ms: i64,
        /// Last notification \[ms\].
        notified_ms: i64,
    },
    /// Firing, but the condition has stopped holding.
    Clearing {
        /// When it fired \[ms\].
        fired_at_ms: i64,
        /// Last notification \[ms\].
        notified_ms: i64,
        /// First observation that did not hold \[ms\].
        since_ms: i64,
    },
}

impl AlertPhase {
    /// True while the alert is open (firing or clearing).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            AlertPhase::Firing { .. } | AlertPhase::Clearing { .. }
        )
    }
}

/// An observation older than the last one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("observation at {time_ms} ms is older than the last one ({last_ms} ms): refused")]
pub struct OutOfOrderObservation {
    /// The last time accepted.
    pub last_ms: i64,
    /// The time refused.
    pub time_ms: i64,
}

/// The state machine of one alert key (see the module docs).
#[derive(Clone, Debug, PartialEq)]
pub struct AlertTracker {
    key: AlertKey,
    policy: AlertPolicy,
    phase: AlertPhase,
    last_ms: Option<i64>,
}

/// `to − from` has reached `span`; never true when time runs backwards.
fn elapsed(from: i64, to: i64, span: u64) -> bool {
    u64::try_from(i128::from(to) - i128::from(from)).is_ok_and(|d| d >= span)
}

impl AlertTracker {
    /// A quiet alert.
    pub fn new(key: AlertKey, policy: AlertPolicy) -> Self {
        AlertTracker {
            key,
            policy,
            phase: AlertPhase::Idle,
            last_ms: None,
        }
    }

    /// Its key.
    pub fn key(&self) -> &AlertKey {
        &self.key
    }

    /// Its policy.
    pub fn policy(&self) -> &AlertPolicy {
        &self.policy
    }

    /// Where it stands.
    pub fn phase(&self) -> AlertPhase {
        self.phase
    }

    /// True while firing (including while clearing).
    pub fn is_open(&self) -> bool {
        self.phase.is_open()
    }

    /// Time of the last observation accepted.
    pub fn last_ms(&self) -> Option<i64> {
        self.last_ms
    }

    /// Accepts the observation's time, or refuses it.
    pub(crate) fn advance(&mut self, time_ms: i64) -> Result<(), OutOfOrderObservation> {
        if let Some(last_ms) = self.last_ms
            && time_ms < last_ms
        {
            return Err(OutOfOrderObservation { last_ms, time_ms });
        }
        self.last_ms = Some(time_ms);
        Ok(())
    }

    /// One observation: whether the condition holds at `time_ms`, the value
    /// behind it and a phrase describing it. Returns the notification it
    /// causes, if any.
    ///
    /// Errors: a time older than the last observation (nothing changes).
    pub fn observe(
        &mut self,
        time_ms: i64,
        holds: bool,
        value: f64,
        detail: &str,
    ) -> Result<Option<AlertEvent>, OutOfOrderObservation> {
        self.advance(time_ms)?;
        Ok(self.step(time_ms, holds, value, detail))
    }

    fn step(&mut self, t: i64, holds: bool, value: f64, detail: &str) -> Option<AlertEvent> {
        let p = self.policy;
        match (self.phase, holds) {
            (AlertPhase::Idle, false) | (AlertPhase::Pending { .. }, false) => {
                self.phase = AlertPhase::Idle;
                None
            }
            (AlertPhase::Idle, true) => {
                self.phase = AlertPhase::Pending { since_ms: t };
                self.fire_if_due(t, t, value, detail)
            }
            (AlertPhase::Pending { since_ms }, true) => {
                self.fire_if_due(since_ms, t, value, detail)
            }
            (
                AlertPhase::Firing {
                    fired_at_ms,
                    notified_ms,
                }
                | AlertPhase::Clearing {
                    fired_at_ms,
                    notified_ms,
                    ..
                },
                true,
            ) => {
                self.phase = AlertPhase::Firing {
                    fired_at_ms,
                    notified_ms,
                };
                match p.repeat_ms {
                    Some(every) if elapsed(notified_ms, t, every) => {
                        self.phase = AlertPhase::Firing {
                            fired_at_ms,
                            notified_ms: t,
                        };
                        Some(self.event(EventKind::Repeat, t, value, fired_at_ms, detail))
                    }
                    _ => None,
                }
            }
            (
                AlertPhase::Firing {
                    fired_at_ms,
                    notified_ms,
                },
                false,
            ) => {
                self.phase = AlertPhase::Clearing {
                    fired_at_ms,
                    notified_ms,
                    since_ms: t,
                };
                self.resolve_if_due(t, t, value, fired_at_ms, detail)
            }
            (
                AlertPhase::Clearing {
                    fired_at_ms,
                    since_ms,
                    ..
                },
                false,
            ) => self.resolve_if_due(since_ms, t, value, fired_at_ms, detail),
        }
    }

    fn fire_if_due(&mut self, since: i64, t: i64, value: f64, detail: &str) -> Option<AlertEvent> {
        if !elapsed(since, t, self.policy.for_ms) {
            return None;
        }
        self.phase = AlertPhase::Firing {
            fired_at_ms: t,
            notified_ms: t,
        };
        Some(self.event(EventKind::Firing, t, value, t, detail))
    }

    fn resolve_if_due(
        &mut self,
        since: i64,
        t: i64,
        value: f64,
        fired_at: i64,
        detail: &str,
    ) -> Option<AlertEvent> {
        if !elapsed(since, t, self.policy.clear_for_ms) {
            return None;
        }
        self.phase = AlertPhase::Idle;
        Some(self.event(EventKind::Resolved, t, value, fired_at, detail))
    }

    fn event(
        &self,
        kind: EventKind,
        t: i64,
        value: f64,
        fired_at_ms: i64,
        detail: &str,
    ) -> AlertEvent {
        let label = match kind {
            EventKind::Firing => "FIRING",
            EventKind::Repeat => "STILL FIRING",
            EventKind::Resolved => "RESOLVED",
        };
        AlertEvent {
            key: self.key.clone(),
            severity: self.policy.severity,
            kind,
            time_ms: t,
            value,
            fired_at_ms,
            message: format!("{label} [{}] {}: {detail}", self.policy.severity, self.key),
        }
    }
}

#[cfg(test)]
mod tests;
