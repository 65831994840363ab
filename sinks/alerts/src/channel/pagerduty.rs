//! PagerDuty Events API v2 (developer.pagerduty.com, "Send an Alert
//! Event"): one event per notice — `trigger` when an alert fires (or is
//! escalated or reminded: PagerDuty folds events with the same
//! `dedup_key` into one incident), `acknowledge` when someone
//! acknowledges it here, `resolve` when it resolves or is withdrawn.
//! A trigger carries `payload.summary` (at most 1024 characters),
//! `source`, `severity` (critical, error, warning or info), `timestamp`
//! (ISO 8601), `component`, `group`, `class` and `custom_details`;
//! acknowledge and resolve carry only the routing and de-duplication keys.

use serde_json::{Value, json};
use steamflow_operators::alerting::Severity;
use steamflow_operators::reading::format_utc_ms;

use super::http::Request;
use crate::config::PagerDutyConfig;
use crate::notice::{Message, Notice, Status};

/// PagerDuty's limit of `payload.summary`.
const MAX_SUMMARY_CHARS: usize = 1024;

/// PagerDuty's four severities for the seed's four.
fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "critical",
        Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "info",
    }
}

/// The event of one notice.
pub(crate) fn event(config: &PagerDutyConfig, notice: &Notice) -> Value {
    let a = &notice.alert;
    let action = match notice.status {
        Status::Firing | Status::Reminder => "trigger",
        Status::Acknowledged => "acknowledge",
        Status::Resolved | Status::Withdrawn => "resolve",
    };
    let mut event = json!({
        "routing_key": config.routing_key.expose(),
        "event_action": action,
        "dedup_key": a.dedup_key,
    });
    if action == "trigger" {
        let summary: String = format!("{}: {}", a.dedup_key, a.message)
            .chars()
            .take(MAX_SUMMARY_CHARS)
            .collect();
        let mut payload = json!({
            "summary": summary,
            "source": config.source,
            "severity": severity(a.severity),
            "timestamp": format_utc_ms(a.event_time_ms),
            "group": a.plant,
            "class": a.condition.as_deref().unwrap_or(&a.rule),
            "custom_details": {
                "rule": a.rule,
                "plant": a.plant,
                "asset": a.asset,
                "value": a.value,
                "message": a.message,
                "fired_at": format_utc_ms(a.fired_at_ms),
                "escalated": notice.escalated,
            },
        });
        if !a.asset.is_empty() {
            payload["component"] = json!(a.asset);
        }
        event["payload"] = payload;
        event["client"] = json!("steamflow");
    }
    event
}

pub(super) fn render(config: &PagerDutyConfig, message: &Message) -> Result<Vec<Request>, String> {
    message
        .notices
        .iter()
        .map(|notice| {
            Ok(Request {
                url: config.url.clone(),
                headers: Vec::new(),
                body: serde_json::to_vec(&event(config, notice)).map_err(|e| e.to_string())?,
            })
        })
        .collect()
}
