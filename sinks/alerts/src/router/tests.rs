use std::collections::BTreeMap;

use steamflow_operators::alerting::Severity;

use super::*;
use crate::config::{ChannelConfig, Secret, WebhookConfig};

fn webhook() -> ChannelConfig {
    ChannelConfig::Webhook(WebhookConfig {
        url: Secret("http://127.0.0.1:1/".into()),
        headers: BTreeMap::new(),
        rate_limit: None,
        retry: Default::default(),
        timeout_secs: 1,
    })
}

const IDS: [&str; 3] = ["oncall", "team", "manager"];

fn config(group_window_secs: u64, routes: Vec<RouteConfig>) -> AlertsSinkConfig {
    AlertsSinkConfig {
        inputs: vec!["alerts".into()],
        group_window_secs,
        channels: IDS.iter().map(|id| ((*id).to_owned(), webhook())).collect(),
        routes,
    }
}

fn route(channels: &[&str]) -> RouteConfig {
    RouteConfig {
        channels: channels.iter().map(|c| (*c).to_owned()).collect(),
        ..RouteConfig::default()
    }
}

fn router(group_window_secs: u64, routes: Vec<RouteConfig>) -> Router {
    let ids: Vec<String> = IDS.iter().map(|id| (*id).to_owned()).collect();
    Router::new(
        &config(group_window_secs, routes),
        &ids,
        Arc::new(RouterStats::default()),
    )
}

fn alert(asset: &str, severity: Severity, plant: &str) -> Alert {
    Alert {
        dedup_key: format!("traps/{plant}/{asset}"),
        plant: plant.into(),
        rule: "traps".into(),
        asset: asset.into(),
        condition: Some("trap_failure".into()),
        severity,
        message: format!("trap {asset} blown open"),
        value: Some(0.9),
        fired_at_ms: 60_000,
        event_time_ms: 60_000,
    }
}

fn update(alert: &Alert, kind: EventKind, diff: isize) -> AlertUpdate {
    AlertUpdate {
        alert: alert.clone(),
        kind,
        diff,
    }
}

/// (channel id, statuses) of the messages due.
fn sent(router: &mut Router, now: Instant) -> Vec<(&'static str, Vec<(Status, String)>)> {
    router
        .due(now)
        .into_iter()
        .map(|(c, m)| {
            (
                IDS[c],
                m.notices
                    .iter()
                    .map(|n| (n.status, n.alert.dedup_key.clone()))
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn routes_by_severity_plant_and_condition() {
    let t = Instant::now();
    let mut pager = route(&["oncall"]);
    pager.severities = vec![Severity::Critical];
    let mut north = route(&["team"]);
    north.plants = vec!["north".into()];
    north.conditions = vec!["trap_failure".into()];
    let mut leaks = route(&["manager"]);
    leaks.conditions = vec!["leak".into()];
    let mut r = router(0, vec![pager, north, leaks]);
    r.update(
        t,
        update(
            &alert("T1", Severity::Critical, "north"),
            EventKind::Firing,
            1,
        ),
    );
    r.update(
        t,
        update(&alert("T2", Severity::High, "south"), EventKind::Firing, 1),
    );
    let out = sent(&mut r, t);
    assert_eq!(
        out,
        vec![
            ("oncall", vec![(Status::Firing, "traps/north/T1".into())]),
            ("team", vec![(Status::Firing, "traps/north/T1".into())]),
        ]
    );
    // T2 (high, south, a trap) matches nothing: counted, not lost silently.
    assert_eq!(r.stats.unrouted.get(), 1);
}

#[test]
fn the_same_key_firing_twice_is_sent_once_and_resolve_follows() {
    let t = Instant::now();
    let mut r = router(0, vec![route(&["oncall"])]);
    let a = alert("T1", Severity::High, "north");
    r.update(t, update(&a, EventKind::Firing, 1));
    r.update(t, update(&a, EventKind::Firing, 1));
    assert_eq!(
        sent(&mut r, t),
        vec![("oncall", vec![(Status::Firing, a.dedup_key.clone())])]
    );
    assert_eq!(r.stats.duplicates.get(), 1);
    r.update(t, update(&a, EventKind::Resolved, 1));
    assert_eq!(
        sent(&mut r, t),
        vec![("oncall", vec![(Status::Resolved, a.dedup_key.clone())])]
    );
    // Closed: a second resolution has nothing to close.
    r.update(t, update(&a, EventKind::Resolved, 1));
    assert!(sent(&mut r, t).is_empty());
    assert_eq!(r.stats.ignored.get(), 1);
}

#[test]
fn a_group_window_gathers_notices_into_one_message() {
    let t = Instant::now();
    let mut r = router(30, vec![route(&["oncall"])]);
    r.update(
        t,
        update(&alert("T1", Severity::High, "north"), EventKind::Firing, 1),
    );
    let later = t + Duration::from_secs(20);
    r.update(
        later,
        update(&alert("T2", Severity::High, "north"), EventKind::Firing, 1),
    );
    assert!(sent(&mut r, later).is_empty());
    assert_eq!(r.next_deadline(), Some(t + Duration::from_secs(30)));
    let out = sent(&mut r, t + Duration::from_secs(30));
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].1.len(), 2);
}

#[test]
fn escalates_when_not_acknowledged_and_resolves_there_too() {
    let t = Instant::now();
    let mut first = route(&["oncall"]);
    first.escalate_after_secs = Some(600);
    first.escalate_to = vec!["manager".into()];
    let mut r = router(0, vec![first]);
    let a = alert("T1", Severity::Critical, "north");
    r.update(t, update(&a, EventKind::Firing, 1));
    assert_eq!(sent(&mut r, t).len(), 1);
    assert!(sent(&mut r, t + Duration::from_secs(599)).is_empty());
    let at = t + Duration::from_secs(600);
    let out = r.due(at);
    assert_eq!(out.len(), 1);
    assert_eq!(IDS[out[0].0], "manager");
    assert!(out[0].1.notices[0].escalated);
    // Once only.
    assert!(sent(&mut r, at + Duration::from_secs(600)).is_empty());
    r.update(at, update(&a, EventKind::Resolved, 1));
    let out = sent(&mut r, at);
    let to: Vec<&str> = out.iter().map(|(c, _)| *c).collect();
    assert_eq!(to, vec!["oncall", "manager"]);
}

#[test]
fn acknowledging_stops_the_escalation() {
    let t = Instant::now();
    let mut first = route(&["oncall"]);
    first.escalate_after_secs = Some(600);
    first.escalate_to = vec!["manager".into()];
    let mut r = router(0, vec![first]);
    let a = alert("T1", Severity::Critical, "north");
    r.update(t, update(&a, EventKind::Firing, 1));
    sent(&mut r, t);
    assert_eq!(
        r.acknowledge(t, &a.dedup_key, "ana"),
        Ok(Acknowledgement::Acknowledged)
    );
    assert_eq!(
        r.acknowledge(t, &a.dedup_key, "bo"),
        Ok(Acknowledgement::AlreadyAcknowledged { by: "ana".into() })
    );
    assert_eq!(
        sent(&mut r, t),
        vec![("oncall", vec![(Status::Acknowledged, a.dedup_key.clone())])]
    );
    assert!(sent(&mut r, t + Duration::from_secs(3_600)).is_empty());
    assert_eq!(r.next_deadline(), None);
    assert_eq!(
        r.acknowledge(t, "traps/north/none", "ana"),
        Err(AckError::NotOpen("traps/north/none".into()))
    );
}

#[test]
fn a_retracted_firing_is_withdrawn() {
    let t = Instant::now();
    let mut r = router(0, vec![route(&["oncall"])]);
    let a = alert("T1", Severity::High, "north");
    r.update(t, update(&a, EventKind::Firing, 1));
    sent(&mut r, t);
    r.update(t, update(&a, EventKind::Firing, -1));
    assert_eq!(
        sent(&mut r, t),
        vec![("oncall", vec![(Status::Withdrawn, a.dedup_key.clone())])]
    );
    assert!(r.open_alerts().is_empty());
}
