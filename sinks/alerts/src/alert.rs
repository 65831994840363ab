//! What the router reads: the `alerts` stream's records (firing, repeat,
//! resolved, each with its de-duplication key) and their diffs.

use serde::{Deserialize, Serialize};
use steamflow_operators::alerting::{EventKind, Severity};

/// An alert as channels show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// `rule/plant/asset`: one open alert per key.
    pub dedup_key: String,
    /// The plant.
    pub plant: String,
    /// The alert rule's id.
    pub rule: String,
    /// The asset (trap, segment, header, tag); empty for the plant itself.
    #[serde(default)]
    pub asset: String,
    /// The rule's condition (`trap_failure`, `leak`, ...), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// How urgent.
    pub severity: Severity,
    /// One line for the people paged.
    pub message: String,
    /// The value observed (its unit is in the message).
    #[serde(default)]
    pub value: Option<f64>,
    /// When the alert fired \[ms since the Unix epoch\].
    #[serde(rename = "fired_at")]
    pub fired_at_ms: i64,
    /// Event time of the observation behind this notification \[ms\].
    #[serde(rename = "event_time")]
    pub event_time_ms: i64,
}

/// One update of the `alerts` stream: an event asserted (`diff` > 0) or
/// retracted (`diff` < 0, a late reading withdrew it).
#[derive(Clone, Debug, PartialEq)]
pub struct AlertUpdate {
    /// The alert.
    pub alert: Alert,
    /// Firing, repeat or resolved.
    pub kind: EventKind,
    /// +1 asserted, −1 retracted.
    pub diff: isize,
}

#[derive(Deserialize)]
struct StreamRecord {
    #[serde(flatten)]
    alert: Alert,
    kind: EventKind,
}

impl AlertUpdate {
    /// An update from an `alerts` record as a JSON object (the stream's
    /// JSON Lines fields: `dedup_key`, `plant`, `rule`, `asset`, `kind`,
    /// `severity`, `message`, `value`, `fired_at`, `event_time`; other
    /// fields are ignored).
    pub fn from_json(object: &str, diff: isize) -> Result<AlertUpdate, serde_json::Error> {
        let record: StreamRecord = serde_json::from_str(object)?;
        Ok(AlertUpdate {
            alert: record.alert,
            kind: record.kind,
            diff,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_stream_record_and_ignores_other_fields() {
        let line = r#"{"plant":"north","rule":"traps","asset":"T-101","dedup_key":"traps/north/T-101","kind":"firing","severity":"high","scope":"window","event_time":60000,"event_time_utc":"1970-01-01T00:01:00Z","fired_at":60000,"fired_at_utc":"x","value":0.93,"window_start":0,"window_start_utc":"y","message":"trap T-101 blown open"}"#;
        let update = AlertUpdate::from_json(line, 1).unwrap();
        assert_eq!(update.kind, EventKind::Firing);
        assert_eq!(update.alert.dedup_key, "traps/north/T-101");
        assert_eq!(update.alert.severity, Severity::High);
        assert_eq!(update.alert.value, Some(0.93));
        assert_eq!(update.alert.fired_at_ms, 60_000);
    }

    #[test]
    fn a_record_without_its_key_is_an_error() {
        assert!(AlertUpdate::from_json(r#"{"plant":"north","kind":"firing"}"#, 1).is_err());
    }
}
