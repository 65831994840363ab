//! The routing state machine: which channels an alert goes to,
//! de-duplication, group windows, escalation and acknowledgement. Pure:
//! time is passed in, messages are returned; [`crate::AlertRouter`] runs
//! it against the clock and the channels.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use steamflow_operators::alerting::EventKind;

use crate::alert::{Alert, AlertUpdate};
use crate::config::{AlertsSinkConfig, RouteConfig};
use crate::notice::{Message, Notice, Status};
use crate::stats::RouterStats;

/// What an acknowledgement did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Acknowledgement {
    /// The alert is now acknowledged; its escalation is cancelled.
    Acknowledged,
    /// It was acknowledged before (by this person or another).
    AlreadyAcknowledged {
        /// Who acknowledged it first.
        by: String,
    },
}

/// Why an acknowledgement was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AckError {
    /// No open alert has that key (it resolved, or never fired).
    #[error("no open alert with de-duplication key `{0}`")]
    NotOpen(String),
    /// The router has stopped.
    #[error("the alert router `{0}` has stopped")]
    Stopped(String),
}

/// An open alert: where it went and whether someone answered.
#[derive(Clone, Debug, PartialEq)]
pub struct OpenAlert {
    /// The alert as it fired.
    pub alert: Alert,
    /// Who acknowledged it.
    pub acknowledged_by: Option<String>,
    /// Whether it was escalated.
    pub escalated: bool,
}

struct Route {
    matcher: RouteConfig,
    channels: Vec<usize>,
    escalate_after: Option<Duration>,
    escalate_to: Vec<usize>,
}

impl Route {
    fn matches(&self, alert: &Alert) -> bool {
        let m = &self.matcher;
        (m.severities.is_empty() || m.severities.contains(&alert.severity))
            && (m.plants.is_empty() || m.plants.contains(&alert.plant))
            && (m.rules.is_empty() || m.rules.contains(&alert.rule))
            && (m.conditions.is_empty()
                || alert
                    .condition
                    .as_ref()
                    .is_some_and(|c| m.conditions.contains(c)))
    }
}

struct Open {
    alert: Alert,
    channels: Vec<usize>,
    escalation: Option<(Instant, Vec<usize>)>,
    escalated_to: Vec<usize>,
    acknowledged_by: Option<String>,
}

impl Open {
    /// Every channel that heard of it.
    fn audience(&self) -> Vec<usize> {
        let mut all = self.channels.clone();
        for c in &self.escalated_to {
            if !all.contains(c) {
                all.push(*c);
            }
        }
        all
    }
}

#[derive(Default)]
struct Group {
    notices: Vec<Notice>,
    due: Option<Instant>,
}

/// The routing state of one alert sink.
pub struct Router {
    routes: Vec<Route>,
    group_window: Duration,
    open: HashMap<String, Open>,
    groups: Vec<Group>,
    stats: Arc<RouterStats>,
}

impl Router {
    /// A router over `config`'s routes; channel ids become indexes in the
    /// order of `channel_ids`. Routes naming an unknown channel lose that
    /// channel (the config check reports it).
    pub fn new(config: &AlertsSinkConfig, channel_ids: &[String], stats: Arc<RouterStats>) -> Self {
        let index = |ids: &[String]| -> Vec<usize> {
            ids.iter()
                .filter_map(|id| channel_ids.iter().position(|c| c == id))
                .collect()
        };
        Router {
            routes: config
                .routes
                .iter()
                .map(|r| Route {
                    matcher: r.clone(),
                    channels: index(&r.channels),
                    escalate_after: r.escalate_after_secs.map(Duration::from_secs),
                    escalate_to: index(&r.escalate_to),
                })
                .collect(),
            group_window: Duration::from_secs(config.group_window_secs),
            open: HashMap::new(),
            groups: channel_ids.iter().map(|_| Group::default()).collect(),
            stats,
        }
    }

    /// Takes one update of the `alerts` stream.
    pub fn update(&mut self, now: Instant, update: AlertUpdate) {
        self.stats.received.increment();
        let key = update.alert.dedup_key.clone();
        match (update.kind, update.diff > 0) {
            (EventKind::Firing, true) if self.open.contains_key(&key) => {
                // The same alert again (a replay, a second subscription): paged once.
                self.stats.duplicates.increment();
            }
            (EventKind::Firing, true) => self.fire(now, update.alert),
            (EventKind::Repeat, true) => match self.open.get(&key) {
                Some(open) => {
                    let audience = open.audience();
                    let notice = self.notice(Status::Reminder, update.alert, false, None);
                    self.send(now, &audience, &notice);
                }
                // Started while it was firing: this is the first we hear of it.
                None => self.fire(now, update.alert),
            },
            (EventKind::Resolved, true) => match self.open.remove(&key) {
                Some(open) => {
                    let notice = self.notice(
                        Status::Resolved,
                        update.alert,
                        false,
                        open.acknowledged_by.clone(),
                    );
                    self.send(now, &open.audience(), &notice);
                }
                None => self.stats.ignored.increment(),
            },
            // A late reading withdrew the episode that was paged (the
            // retraction of another episode of the key changes nothing here).
            (EventKind::Firing, false) => match self.open.get(&key) {
                Some(open) if open.alert.fired_at_ms == update.alert.fired_at_ms => {
                    if let Some(open) = self.open.remove(&key) {
                        let notice =
                            self.notice(Status::Withdrawn, open.alert.clone(), false, None);
                        self.send(now, &open.audience(), &notice);
                    }
                }
                _ => self.stats.ignored.increment(),
            },
            // A retracted reminder or resolution changes nothing a person
            // needs to hear: a withdrawn resolution is followed by the
            // events the corrected data implies.
            (_, false) => self.stats.ignored.increment(),
        }
    }

    fn notice(
        &self,
        status: Status,
        alert: Alert,
        escalated: bool,
        acknowledged_by: Option<String>,
    ) -> Notice {
        Notice {
            status,
            alert,
            escalated,
            acknowledged_by,
        }
    }

    fn fire(&mut self, now: Instant, alert: Alert) {
        let mut channels: Vec<usize> = Vec::new();
        let mut escalation: Option<(Instant, Vec<usize>)> = None;
        for route in self.routes.iter().filter(|r| r.matches(&alert)) {
            for c in &route.channels {
                if !channels.contains(c) {
                    channels.push(*c);
                }
            }
            if let Some(after) = route.escalate_after {
                let due = now + after;
                let entry = escalation.get_or_insert_with(|| (due, Vec::new()));
                entry.0 = entry.0.min(due);
                for c in &route.escalate_to {
                    if !entry.1.contains(c) {
                        entry.1.push(*c);
                    }
                }
            }
        }
        if channels.is_empty() {
            tracing::warn!(key = %alert.dedup_key, "alert matches no route: not sent");
            self.stats.unrouted.increment();
            return;
        }
        let notice = self.notice(Status::Firing, alert.clone(), false, None);
        self.send(now, &channels, &notice);
        self.open.insert(
            alert.dedup_key.clone(),
            Open {
                alert,
                channels,
                escalation,
                escalated_to: Vec::new(),
                acknowledged_by: None,
            },
        );
    }

    fn send(&mut self, now: Instant, channels: &[usize], notice: &Notice) {
        for &c in channels {
            if let Some(group) = self.groups.get_mut(c) {
                group.notices.push(notice.clone());
                group.due.get_or_insert(now + self.group_window);
            }
        }
    }

    /// Acknowledges the open alert with `key` for `by`: cancels its
    /// escalation and tells every channel that heard of it.
    pub fn acknowledge(
        &mut self,
        now: Instant,
        key: &str,
        by: &str,
    ) -> Result<Acknowledgement, AckError> {
        let Some(open) = self.open.get_mut(key) else {
            return Err(AckError::NotOpen(key.to_owned()));
        };
        if let Some(first) = &open.acknowledged_by {
            return Ok(Acknowledgement::AlreadyAcknowledged { by: first.clone() });
        }
        open.acknowledged_by = Some(by.to_owned());
        open.escalation = None;
        let audience = open.audience();
        let alert = open.alert.clone();
        let notice = self.notice(Status::Acknowledged, alert, false, Some(by.to_owned()));
        self.send(now, &audience, &notice);
        self.stats.acknowledged.increment();
        Ok(Acknowledgement::Acknowledged)
    }

    /// The open alerts, by key.
    pub fn open_alerts(&self) -> Vec<OpenAlert> {
        let mut all: Vec<OpenAlert> = self
            .open
            .values()
            .map(|o| OpenAlert {
                alert: o.alert.clone(),
                acknowledged_by: o.acknowledged_by.clone(),
                escalated: !o.escalated_to.is_empty(),
            })
            .collect();
        all.sort_by(|a, b| a.alert.dedup_key.cmp(&b.alert.dedup_key));
        all
    }

    /// Escalates what is due and returns the messages whose group window
    /// has closed by `now`, as (channel index, message).
    pub fn due(&mut self, now: Instant) -> Vec<(usize, Message)> {
        let mut escalations = Vec::new();
        for open in self.open.values_mut() {
            if let Some((due, to)) = &open.escalation
                && *due <= now
            {
                let to: Vec<usize> = to.clone();
                open.escalation = None;
                open.escalated_to = to.clone();
                escalations.push((to, open.alert.clone()));
            }
        }
        for (to, alert) in escalations {
            self.stats.escalated.increment();
            let notice = self.notice(Status::Firing, alert, true, None);
            self.send(now, &to, &notice);
        }
        let mut out = Vec::new();
        for (c, group) in self.groups.iter_mut().enumerate() {
            if group.due.is_some_and(|due| due <= now) {
                group.due = None;
                out.push((
                    c,
                    Message {
                        notices: std::mem::take(&mut group.notices),
                    },
                ));
            }
        }
        out
    }

    /// Every pending message now, whatever its window (at shutdown).
    pub fn drain(&mut self) -> Vec<(usize, Message)> {
        let mut out = Vec::new();
        for (c, group) in self.groups.iter_mut().enumerate() {
            group.due = None;
            if !group.notices.is_empty() {
                out.push((
                    c,
                    Message {
                        notices: std::mem::take(&mut group.notices),
                    },
                ));
            }
        }
        out
    }

    /// When [`Router::due`] next has something to do.
    pub fn next_deadline(&self) -> Option<Instant> {
        let groups = self.groups.iter().filter_map(|g| g.due);
        let escalations = self
            .open
            .values()
            .filter_map(|o| o.escalation.as_ref().map(|(due, _)| *due));
        groups.chain(escalations).min()
    }
}

#[cfg(test)]
mod tests;
