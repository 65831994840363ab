//! Webhook, Slack and PagerDuty payloads as their receivers get them.

use std::time::Duration;

use crate::common::{HttpReceiver, block_on, notices, router, update};
use steamflow_sink_alerts::{AckError, Acknowledgement};

fn three_channels(receiver: &HttpReceiver) -> String {
    format!(
        r#"
inputs = ["alerts"]
group_window_secs = 0

[channels.hook]
type = "webhook"
url = "{}"
headers = {{ Authorization = "Bearer hook-token" }}

[channels.slack]
type = "slack"
webhook_url = "{}"

[channels.pager]
type = "pagerduty"
routing_key = "R0UT1NGKEY"
url = "{}"

[[routes]]
channels = ["hook", "slack", "pager"]
"#,
        receiver.url("/hook"),
        receiver.url("/slack"),
        receiver.url("/pagerduty"),
    )
}

#[test]
fn each_http_channel_receives_firing_then_resolve() {
    let receiver = HttpReceiver::start();
    let router = router(&three_channels(&receiver));
    router.submit(update("firing", "north", "T-101", "critical"));
    receiver.wait_for("/hook", 1);
    router.submit(update("resolved", "north", "T-101", "critical"));
    let key = "trap_failed/north/T-101";

    let hook = receiver.wait_for("/hook", 2);
    assert_eq!(notices(&hook[0]), [format!("firing {key}")]);
    assert_eq!(notices(&hook[1]), [format!("resolved {key}")]);
    assert_eq!(hook[0].headers["authorization"], "Bearer hook-token");
    let first = &hook[0].body["notices"][0];
    assert_eq!(first["severity"], "critical");
    assert_eq!(first["plant"], "north");
    assert_eq!(first["asset"], "T-101");
    assert_eq!(first["condition"], "trap_failure");
    assert_eq!(first["escalated"], false);

    let slack = receiver.wait_for("/slack", 2);
    let text = |i: usize| {
        slack[i].body["text"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    assert!(
        text(0).starts_with("FIRING critical trap_failed/north/T-101"),
        "{}",
        text(0)
    );
    assert!(text(1).starts_with("RESOLVED critical"), "{}", text(1));
    let blocks = slack[0].body["blocks"].as_array().expect("blocks");
    assert_eq!(blocks[0]["type"], "header");
    assert_eq!(blocks[1]["type"], "section");
    assert_eq!(blocks[1]["text"]["type"], "mrkdwn");
    assert!(
        blocks[1]["text"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("trap T-101 blown open")),
        "{blocks:#?}"
    );

    // PagerDuty Events API v2: the trigger with its payload, then the
    // resolve with the same dedup_key.
    let pager = receiver.wait_for("/pagerduty", 2);
    let actions: Vec<&str> = pager
        .iter()
        .map(|r| r.body["event_action"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(actions, ["trigger", "resolve"]);
    for event in &pager {
        assert_eq!(event.body["routing_key"], "R0UT1NGKEY");
        assert_eq!(event.body["dedup_key"], key);
    }
    let trigger = &pager[0].body;
    assert_eq!(trigger["payload"]["severity"], "critical");
    assert_eq!(trigger["payload"]["source"], "steamflow");
    assert_eq!(trigger["payload"]["timestamp"], "2026-01-01T00:00:00.000Z");
    assert_eq!(trigger["payload"]["component"], "T-101");
    assert_eq!(trigger["payload"]["group"], "north");
    assert_eq!(trigger["payload"]["class"], "trap_failure");
    assert!(
        trigger["payload"]["summary"]
            .as_str()
            .is_some_and(|s| s.contains("blown open"))
    );
    // A resolve carries no payload.
    assert!(pager[1].body.get("payload").is_none());
    router.close(Duration::from_secs(5));
    for channel in ["hook", "slack", "pager"] {
        let stats = router.channel_stats(channel).expect("channel");
        assert_eq!(stats.delivered.get(), 2, "{channel}");
        assert_eq!(stats.failed.get(), 0, "{channel}");
    }
}

#[test]
fn pagerduty_gets_trigger_acknowledge_resolve_once_each() {
    let receiver = HttpReceiver::start();
    let router = router(&three_channels(&receiver));
    let key = "trap_failed/south/T-7";
    router.submit(update("firing", "south", "T-7", "high"));
    // The same alert again: paged once.
    router.submit(update("firing", "south", "T-7", "high"));
    assert_eq!(
        block_on(router.acknowledge(key, "ana")),
        Ok(Acknowledgement::Acknowledged)
    );
    assert_eq!(
        block_on(router.acknowledge(key, "bo")),
        Ok(Acknowledgement::AlreadyAcknowledged { by: "ana".into() })
    );
    assert_eq!(
        block_on(router.acknowledge("trap_failed/south/none", "ana")),
        Err(AckError::NotOpen("trap_failed/south/none".into()))
    );
    router.submit(update("resolved", "south", "T-7", "high"));
    router.close(Duration::from_secs(5));
    let pager = receiver.requests("/pagerduty");
    let sequence: Vec<(&str, &str)> = pager
        .iter()
        .map(|r| {
            (
                r.body["event_action"].as_str().unwrap_or_default(),
                r.body["dedup_key"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        sequence,
        [("trigger", key), ("acknowledge", key), ("resolve", key)]
    );
    assert_eq!(pager[0].body["payload"]["severity"], "error");
    let hook = receiver.requests("/hook");
    let statuses: Vec<String> = hook
        .iter()
        .flat_map(notices)
        .map(|n| n.split(' ').next().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(statuses, ["firing", "acknowledged", "resolved"]);
    assert_eq!(hook[1].body["notices"][0]["acknowledged_by"], "ana");
    assert_eq!(router.stats().duplicates.get(), 1);
}
