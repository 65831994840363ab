//! Sessions and faults: a persistent session keeps what was published
//! while the source was away; a broker restart mid-stream is reconnected,
//! resubscribed and reported as a gap; the last will and the status topic;
//! logins refused and accepted; a stop while the broker is down.

use std::process::Command;
use std::time::Duration;

use steamflow_source_core::SourceEvent;
use steamflow_source_mqtt::{Error, STATUS_OFFLINE, STATUS_ONLINE, check};

use crate::common::*;

const SEED_TOPIC: &str = "steam/{plant}/traps/{tag}/status";
const PROBE: &str = "steam/probe/traps/probe/status";
const WAIT: Duration = Duration::from_secs(15);

fn trap_message(i: u32) -> String {
    format!(
        r#"{{"value": {i}, "time": {}}}"#,
        1_735_689_600_000i64 + i64::from(i)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_persistent_session_gets_what_was_published_while_away() {
    let Some(tools) = tools("a_persistent_session_gets_what_was_published_while_away") else {
        return;
    };
    let broker = Broker::start(&tools);
    let mut config = source_config(&broker, &[SEED_TOPIC]);
    config.broker.client_id = Some("steamflow-persistent-test".into());
    config.broker.clean_session = Some(false);

    let mut source = spawn_source(config.clone(), "persistent");
    source.wait_subscribed(&broker, &tools, PROBE).await;
    broker.publish(
        &tools,
        "steam/north/traps/T-1/status",
        &trap_message(0),
        &["-q", "1"],
    );
    source.wait_readings(1, WAIT).await;
    source.stop().await;

    // Away: the broker queues QoS 1 messages for the kept session.
    let lines: Vec<String> = (1..=5).map(trap_message).collect();
    broker.publish_lines(&tools, "steam/north/traps/T-1/status", &lines, &["-q", "1"]);

    let mut source = spawn_source(config, "persistent");
    source.wait_readings(5, WAIT).await;
    let seen = source.stop().await;
    let values: Vec<_> = readings(&seen).iter().map(|r| r.value).collect();
    assert_eq!(values, [1.0, 2.0, 3.0, 4.0, 5.0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_restart_is_reconnected_resubscribed_and_reported_as_a_gap() {
    let Some(tools) = tools("a_broker_restart_is_reconnected_resubscribed_and_reported_as_a_gap")
    else {
        return;
    };
    let mut broker = Broker::start(&tools);
    let mut config = source_config(&broker, &[SEED_TOPIC]);
    config.broker.clean_session = Some(false);
    let mut source = spawn_source(config, "restart");
    source.wait_subscribed(&broker, &tools, PROBE).await;
    let before: Vec<String> = (0..10).map(trap_message).collect();
    broker.publish_lines(
        &tools,
        "steam/north/traps/T-1/status",
        &before,
        &["-q", "1"],
    );
    source.wait_readings(10, WAIT).await;

    broker.restart();
    source
        .wait_until(WAIT, "a gap after the restart", |seen| {
            !gaps(seen).is_empty()
        })
        .await;
    // The new broker knows no session: the source must have subscribed again.
    source.wait_subscribed(&broker, &tools, PROBE).await;
    let after: Vec<String> = (10..20).map(trap_message).collect();
    broker.publish_lines(&tools, "steam/north/traps/T-1/status", &after, &["-q", "1"]);
    source.wait_readings(20, WAIT).await;
    let seen = source.stop().await;

    let values: Vec<_> = readings(&seen).iter().map(|r| r.value).collect();
    let expected: Vec<_> = (0..20).map(f64::from).collect();
    assert_eq!(values, expected);
    assert_eq!(count(&seen, is_disconnected), 1, "{seen:#?}");
    assert_eq!(count(&seen, is_connected), 2, "{seen:#?}");
    let gaps = gaps(&seen);
    assert_eq!(gaps.len(), 1);
    let gap = gaps[0];
    assert_eq!(gap.source, "restart");
    assert!(gap.from_ms <= gap.to_ms, "{gap:?}");
    assert!(
        !gap.backfilled,
        "a restarted broker without persistence kept nothing"
    );
    assert!(gap.reason.contains("connection lost"), "{}", gap.reason);
    assert!(gap.reason.contains("resubscribed"), "{}", gap.reason);
    // The order of events: readings, Disconnected, Connected, Gap, readings.
    let position =
        |wanted: fn(&SourceEvent) -> bool| seen.iter().position(wanted).unwrap_or(usize::MAX);
    assert!(position(is_disconnected) < position(|e| matches!(e, SourceEvent::Gap(_))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_status_topic_says_online_and_the_will_says_offline() {
    let Some(tools) = tools("the_status_topic_says_online_and_the_will_says_offline") else {
        return;
    };
    let broker = Broker::start(&tools);
    let status = "steamflow/test/status";
    let mut config = source_config(&broker, &[SEED_TOPIC]);
    config.status_topic = Some(status.into());
    let read_status = || {
        let output = Command::new(&tools.mosquitto_sub)
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &broker.port.to_string(),
                "-t",
                status,
                "-C",
                "1",
                "-W",
                "5",
            ])
            .output()
            .expect("mosquitto_sub");
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    };

    // A clean stop publishes offline itself.
    let mut source = spawn_source(config.clone(), "status");
    source.wait_subscribed(&broker, &tools, PROBE).await;
    assert_eq!(read_status(), STATUS_ONLINE);
    source.stop().await;
    assert_eq!(read_status(), STATUS_OFFLINE);

    // Vanishing without a goodbye: the broker publishes the will.
    let mut source = spawn_source(config, "status");
    source.wait_subscribed(&broker, &tools, PROBE).await;
    assert_eq!(read_status(), STATUS_ONLINE);
    source.task.abort();
    let _ = source.task.await;
    assert_eq!(read_status(), STATUS_OFFLINE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logins_are_refused_or_accepted_by_a_password_file() {
    let Some(tools) = tools("logins_are_refused_or_accepted_by_a_password_file") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let passwords = dir.path().join("passwd");
    let output = Command::new(&tools.mosquitto_passwd)
        .arg("-c")
        .arg("-b")
        .arg(&passwords)
        .args(["steamflow", "s3cret"])
        .output()
        .expect("mosquitto_passwd");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let broker = Broker::start_with(
        &tools,
        &format!(
            "allow_anonymous false\npassword_file {}\n",
            passwords.display()
        ),
    );

    // Wrong password: reported as a Disconnected with the reason, retried.
    let mut config = source_config(&broker, &[SEED_TOPIC]);
    config.broker.username = Some("steamflow".into());
    config.broker.password = Some("wrong".into());
    let mut source = spawn_source(config.clone(), "auth");
    source
        .wait_until(WAIT, "Disconnected", |seen| {
            seen.iter().any(is_disconnected)
        })
        .await;
    let seen = source.stop().await;
    let reason = seen
        .iter()
        .find_map(|event| match event {
            SourceEvent::Disconnected { reason, .. } => Some(reason.clone()),
            _ => None,
        })
        .unwrap_or_default();
    assert!(
        reason.contains("user name or password") || reason.contains("not authorized"),
        "{reason}"
    );
    assert_eq!(count(&seen, is_connected), 0);
    let checked = check(&config).await;
    assert!(matches!(checked, Err(Error::Connect { .. })), "{checked:?}");

    // Anonymous: refused too.
    let mut anonymous = config.clone();
    anonymous.broker.username = None;
    anonymous.broker.password = None;
    assert!(check(&anonymous).await.is_err());

    // The right password: readings flow, and the check passes.
    config.broker.password = Some("s3cret".into());
    let report = check(&config).await.expect("check with the right password");
    assert!(report.ok(), "{report}");
    assert!(report.authenticated);
    assert_eq!(report.subscriptions[0].granted_qos, Some(1));
    let mut source = spawn_source(config, "auth");
    source
        .wait_until(WAIT, "Connected", |seen| seen.iter().any(is_connected))
        .await;
    // mosquitto_pub must log in too.
    let deadline = tokio::time::Instant::now() + WAIT;
    while readings(&source.seen).is_empty() {
        broker.publish(
            &tools,
            "steam/north/traps/T-1/status",
            "42",
            &["-u", "steamflow", "-P", "s3cret"],
        );
        let _ = tokio::time::timeout(Duration::from_millis(300), async {
            if let Some(event) = source.events.recv().await {
                source.seen.push(event);
            }
        })
        .await;
        assert!(
            tokio::time::Instant::now() < deadline,
            "no reading with the right password"
        );
    }
    let seen = source.stop().await;
    assert_eq!(readings(&seen)[0].value, 42.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_broker_is_reported_and_the_source_stops_promptly() {
    let Some(tools) = tools("a_missing_broker_is_reported_and_the_source_stops_promptly") else {
        return;
    };
    let mut broker = Broker::start(&tools);
    broker.stop();
    let mut source = spawn_source(source_config(&broker, &[SEED_TOPIC]), "absent");
    source
        .wait_until(WAIT, "Disconnected", |seen| {
            seen.iter().any(is_disconnected)
        })
        .await;
    // Retrying quietly: one report per outage, not one per attempt.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let started = std::time::Instant::now();
    let seen = source.stop().await;
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(count(&seen, is_disconnected), 1, "{seen:?}");
    assert!(
        gaps(&seen).is_empty(),
        "no data flowed, so no gap: {seen:?}"
    );
    let checked = check(&source_config(&broker, &[SEED_TOPIC])).await;
    assert!(matches!(checked, Err(Error::Connect { .. })), "{checked:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_reports_subscriptions_and_decodes_retained_messages() {
    let Some(tools) = tools("check_reports_subscriptions_and_decodes_retained_messages") else {
        return;
    };
    let broker = Broker::start(&tools);
    broker.publish(
        &tools,
        "steam/north/traps/T-1/status",
        r#"{"value": 1}"#,
        &["-r"],
    );
    broker.publish(
        &tools,
        "steam/north/traps/T-2/status",
        r#"{"value": "x"}"#,
        &["-r"],
    );
    let mut config = source_config(&broker, &[SEED_TOPIC, "steam/{plant}/{network}/generation"]);
    config.subscriptions[1].tag = "{network}".into();
    config.subscriptions[1].qos = steamflow_source_mqtt::Qos::EXACTLY_ONCE;
    let report = check(&config).await.expect("check");
    assert_eq!(report.broker, format!("127.0.0.1:{}", broker.port));
    let granted: Vec<_> = report
        .subscriptions
        .iter()
        .map(|s| (s.filter.as_str(), s.granted_qos))
        .collect();
    assert_eq!(
        granted,
        [
            ("steam/+/traps/+/status", Some(1)),
            ("steam/+/+/generation", Some(2))
        ]
    );
    assert_eq!(report.messages_sampled, 2);
    assert_eq!(report.readings_decoded, 1);
    assert_eq!(report.decode_errors.len(), 1);
    assert!(
        report.decode_errors[0].starts_with("wrong_type"),
        "{:?}",
        report.decode_errors
    );
    assert!(!report.ok());
    let text = report.to_string();
    assert!(text.contains("subscribed steam/+/traps/+/status"), "{text}");
}
