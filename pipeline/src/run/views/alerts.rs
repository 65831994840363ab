//! A view whose rows are alerts, routed like the `alerts` stream.
//!
//! Each row of such a view is an open alert: a row that enters the result
//! fires, a row that leaves it resolves. A row whose key stays in the
//! result while its other columns change (the value in its message, say)
//! is the same open alert: nothing is sent for it.
//!
//! | column | type | |
//! |---|---|---|
//! | `dedup_key` | text | required: one open alert per key |
//! | `plant` | text | required |
//! | `severity` | text | required: `low`, `medium`, `high`, `critical` |
//! | `message` | text | required: the line people read |
//! | `rule` | text | the rule routes match; default the view's name |
//! | `asset` | text | |
//! | `kind` (or `condition`) | text | the alert's kind for routes by `conditions` |
//! | `value` | number | |
//! | `fired_at`, `event_time` | timestamp or ms | default: the time of the window that closed |

use std::collections::BTreeSet;

use serde_json::{Map, Value};
use steamflow_operators::alerting::{EventKind, Severity};
use steamflow_sink_alerts::{Alert, AlertUpdate};
use steamflow_sql::datafusion::arrow::datatypes::Schema;

use super::row::SinkBatch;

/// The columns an alerts view must have.
const REQUIRED: [&str; 4] = ["dedup_key", "plant", "severity", "message"];

/// Proof that a view's columns make alerts.
pub struct AlertColumns;

impl AlertColumns {
    /// `Ok` when `schema` has the required columns, else which it lacks.
    pub fn of(schema: &Schema) -> Result<AlertColumns, String> {
        let missing: Vec<&str> = REQUIRED
            .iter()
            .copied()
            .filter(|name| schema.field_with_name(name).is_err())
            .collect();
        if missing.is_empty() {
            Ok(AlertColumns)
        } else {
            Err(format!(
                "it lacks the alert column{} {}",
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", ")
            ))
        }
    }
}

/// The router updates of one view delta: rows with their diffs, at
/// `time_ms`; rows that do not read as alerts are returned as errors.
pub fn updates(
    view: &str,
    rows: &SinkBatch,
    diffs: &[i64],
    time_ms: i64,
) -> (Vec<AlertUpdate>, Vec<String>) {
    let mut errors = Vec::new();
    let mut read: Vec<(Alert, i64)> = Vec::with_capacity(rows.len());
    for (index, diff) in diffs.iter().enumerate().take(rows.len()) {
        match alert_of(view, &rows.row(index).json_object(), time_ms) {
            Ok(alert) => read.push((alert, *diff)),
            Err(error) => errors.push(format!("view {view}: a row is not an alert: {error}")),
        }
    }
    let entering: BTreeSet<&str> = read
        .iter()
        .filter(|(_, diff)| *diff > 0)
        .map(|(alert, _)| alert.dedup_key.as_str())
        .collect();
    let leaving: BTreeSet<&str> = read
        .iter()
        .filter(|(_, diff)| *diff < 0)
        .map(|(alert, _)| alert.dedup_key.as_str())
        .collect();
    let mut out = Vec::new();
    for (alert, diff) in &read {
        let key = alert.dedup_key.as_str();
        let kind = if *diff > 0 && !leaving.contains(key) {
            EventKind::Firing
        } else if *diff < 0 && !entering.contains(key) {
            EventKind::Resolved
        } else {
            continue;
        };
        let mut alert = alert.clone();
        if kind == EventKind::Resolved {
            alert.event_time_ms = time_ms;
        }
        out.push(AlertUpdate {
            alert,
            kind,
            diff: 1,
        });
    }
    (out, errors)
}

/// A row's alert.
fn alert_of(view: &str, object: &str, time_ms: i64) -> Result<Alert, String> {
    let row: Map<String, Value> = serde_json::from_str(object).map_err(|e| e.to_string())?;
    let text = |name: &str| row.get(name).and_then(Value::as_str).map(str::to_owned);
    let required = |name: &str| text(name).ok_or_else(|| format!("`{name}` is null"));
    let severity_name = required("severity")?;
    let severity: Severity =
        serde_json::from_value(Value::String(severity_name.clone())).map_err(|_| {
            format!("severity `{severity_name}` is not one of low, medium, high, critical")
        })?;
    let ms = |name: &str| row.get(name).and_then(Value::as_i64);
    Ok(Alert {
        dedup_key: required("dedup_key")?,
        plant: required("plant")?,
        rule: text("rule").unwrap_or_else(|| view.to_owned()),
        asset: text("asset").unwrap_or_default(),
        condition: text("kind").or_else(|| text("condition")),
        severity,
        message: required("message")?,
        value: row.get("value").and_then(Value::as_f64),
        fired_at_ms: ms("fired_at").unwrap_or(time_ms),
        event_time_ms: ms("event_time").unwrap_or(time_ms),
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use steamflow_sql::datafusion::arrow::array::{RecordBatch, StringArray};
    use steamflow_sql::datafusion::arrow::datatypes::{DataType, Field};

    use super::*;

    fn rows(keys: &[&str], messages: &[&str]) -> SinkBatch {
        let schema = Arc::new(Schema::new(
            ["dedup_key", "plant", "severity", "message"]
                .iter()
                .map(|name| Field::new(*name, DataType::Utf8, true))
                .collect::<Vec<_>>(),
        ));
        let n = keys.len();
        let batch = RecordBatch::try_new(
            Arc::clone(&schema),
            vec![
                Arc::new(StringArray::from(keys.to_vec())),
                Arc::new(StringArray::from(vec!["north"; n])),
                Arc::new(StringArray::from(vec!["high"; n])),
                Arc::new(StringArray::from(messages.to_vec())),
            ],
        )
        .expect("a batch");
        let fields = super::super::plan::sink_fields(&schema).expect("writable");
        SinkBatch::new(&batch, &fields).expect("cast")
    }

    #[test]
    fn rows_entering_fire_rows_leaving_resolve_rows_changing_stay_open() {
        let batch = rows(&["a", "b", "b", "c"], &["a on", "b 1", "b 2", "c on"]);
        let (updates, errors) = updates("v", &batch, &[1, -1, 1, -1], 60_000);
        assert!(errors.is_empty(), "{errors:?}");
        let seen: Vec<(&str, EventKind)> = updates
            .iter()
            .map(|u| (u.alert.dedup_key.as_str(), u.kind))
            .collect();
        assert_eq!(seen, [("a", EventKind::Firing), ("c", EventKind::Resolved)]);
        assert_eq!(updates[0].alert.rule, "v");
        assert_eq!(updates[0].alert.fired_at_ms, 60_000);
    }

    #[test]
    fn a_view_without_alert_columns_is_named_what_it_lacks() {
        let schema = Schema::new(vec![Field::new("plant", DataType::Utf8, true)]);
        let Err(problem) = AlertColumns::of(&schema) else {
            panic!("not alerts");
        };
        assert_eq!(
            problem,
            "it lacks the alert columns dedup_key, severity, message"
        );
    }
}
